using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ModelLoop.Serving.Tests.Api;

namespace ModelLoop.Serving.Tests.Language;

/// <summary>Bad completion bodies get 400/404 ProblemDetails naming the field — never a 500, never a stream that hangs.</summary>
public sealed class CompletionBadInputTests
{
    private const string Model = LanguageServer.ModelName;

    public static TheoryData<string, string, int, string> Bodies => new()
    {
        { "/v1/completions", $$"""{ "model": "{{Model}}", "prompt": "{{new string('a', 80)}}" }""", 400, "\"prompt\" is 80 tokens" },
        { "/v1/completions", $$"""{ "model": "{{Model}}", "prompt": "the fox", "max_tokens": 60 }""", 400, "\"max_tokens\" is 60" },
        { "/v1/completions", $$"""{ "model": "{{Model}}", "prompt": "a", "max_tokens": 5000 }""", 400, "\"max_tokens\" is 5000, over this server's limit" },
        { "/v1/completions", $$"""{ "model": "{{Model}}", "prompt": "a", "max_tokens": 0 }""", 400, "\"max_tokens\" must be at least 1" },
        { "/v1/completions", $$"""{ "model": "{{Model}}", "prompt": "a", "max_tokens": -3 }""", 400, "\"max_tokens\" must be at least 1" },
        { "/v1/completions", """{ "model": "no-such-model", "prompt": "a" }""", 404, "no language model 'no-such-model'" },
        { "/v1/completions", """{ "model": "iris", "prompt": "a" }""", 400, "'iris' is not a language model" },
        { "/v1/completions", $$"""{ "model": "{{Model}}:7", "prompt": "a" }""", 404, "no version or alias '7'" },
        { "/v1/completions", """{ "prompt": "a" }""", 400, "\"model\" is required" },
        { "/v1/completions", $$"""{ "model": "{{Model}}", "prompt": "a", "n": 50 }""", 400, "\"n\" must be between 1 and 8" },
        { "/v1/completions", $$"""{ "model": "{{Model}}", "prompt": "a", "max_token": 5 }""", 400, "\"max_token\" is not a field" },
        { "/v1/completions", $$"""{ "model": "{{Model}}", "prompt": "a", "temperature": 7 }""", 400, "\"temperature\" must be between 0 and 2" },
        { "/v1/completions", $$"""{ "model": "{{Model}}", "prompt": "a", "stop": ["", "x"] }""", 400, "\"stop\" holds 2 strings, one of them empty" },
        { "/v1/completions", $$"""{ "model": "{{Model}}", "prompt": ["a", "b"] }""", 400, "\"prompt\" must be a string" },
        { "/v1/completions", $$"""{ "model": "{{Model}}", "prompt": "日本" }""", 400, "\"prompt\" cannot be encoded" },
        { "/v1/completions", $$"""{ "model": "{{Model}}", "prompt": "a", "stream_options": { "include_usage": true } }""", 400, "only allowed with \"stream\": true" },
        { "/v1/chat/completions", $$"""{ "model": "{{Model}}", "messages": [] }""", 400, "\"messages\" is empty" },
        { "/v1/chat/completions", $$"""{ "model": "{{Model}}" }""", 400, "\"messages\" is required" },
        { "/v1/chat/completions", $$"""{ "model": "{{Model}}", "messages": [{ "content": "hi" }] }""", 400, "\"messages[0].role\" must be one of" },
        { "/v1/chat/completions", $$"""{ "model": "{{Model}}", "messages": [{ "role": "user", "content": "hi" }, { "role": "user" }] }""", 400, "\"messages[1].content\" is required" },
        { "/v1/chat/completions", $$"""{ "model": "{{Model}}", "messages": [{ "role": "user", "content": "hi", "mood": "happy" }] }""", 400, "\"mood\" is not a field of \"messages[0]\"" },
        { "/v1/chat/completions", $$"""{ "model": "{{Model}}", "messages": [{ "role": "user", "content": [{ "type": "image_url" }] }] }""", 400, "\"messages[0].content\" parts must be" },
        { "/v1/chat/completions", $$"""{ "model": "{{Model}}", "messages": "hello" }""", 400, "\"messages\" is required" },
        { "/v1/chat/completions", $$"""{ "model": "{{Model}}", "messages": [{ "role": "user", "content": "{{new string('a', 70)}}" }] }""", 400, "\"messages\" is" },
        { "/v1/chat/completions", "[1, 2]", 400, "must be a JSON object" },
        { "/v1/chat/completions", "{ not json", 400, "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_bad_body_gets_a_problem_naming_the_field(string path, string body, int status, string detailPart)
    {
        using var lm = new LanguageServer();
        using var client = lm.Server.Client();

        var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        await BadInputTests.AssertProblem(response, status, detailPart);
    }

    [Fact]
    public async Task A_bad_streamed_request_is_refused_before_the_stream_starts()
    {
        using var lm = new LanguageServer();
        using var client = lm.Server.Client();

        var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = Model, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 500, stream = true });

        await BadInputTests.AssertProblem(response, 400, "\"max_tokens\" is 500");
    }

    [Fact]
    public async Task A_tenant_without_a_grant_cannot_see_the_language_model()
    {
        using var lm = new LanguageServer();
        var tenant = await lm.Server.CreateTenant("iris-only", ["iris"]);

        var response = await lm.Server.Client(tenant.Key).PostAsJsonAsync("/v1/completions", new { model = Model, prompt = "a" });

        var detail = await BadInputTests.AssertProblem(response, 404, $"no language model '{Model}'");
        Assert.Contains("none (ask the administrator", detail);
    }

    [Fact]
    public async Task Unsupported_penalties_are_refused_rather_than_ignored()
    {
        using var lm = new LanguageServer();
        using var client = lm.Server.Client();

        var zero = await client.PostAsJsonAsync("/v1/completions", new { model = Model, prompt = "a", max_tokens = 2, presence_penalty = 0 });
        var nonZero = await client.PostAsJsonAsync("/v1/completions", new { model = Model, prompt = "a", presence_penalty = 0.5 });

        Assert.Equal(200, (int)zero.StatusCode);
        Assert.Equal("text_completion", (await zero.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("object").GetString());
        await BadInputTests.AssertProblem(nonZero, 400, "\"presence_penalty\" is not supported");
    }
}

using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ModelLoop.Contracts;
using ModelLoop.Serving.Language;
using OpenAI;
using OpenAI.Chat;

namespace ModelLoop.Serving.Tests.Language;

/// <summary>The official OpenAI .NET SDK as the client of /v1/chat/completions; raw HTTP for /v1/completions (the SDK has no legacy completions client).</summary>
public sealed class OpenAiSdkTests
{
    private static ChatClient Chat(LanguageServer lm, string key) =>
        new(LanguageServer.ModelName, new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(lm.Server.Client(key: null).BaseAddress!, "/v1"),
            Transport = new HttpClientPipelineTransport(lm.Server.Client(key: null)),
        });

    [Fact]
    public async Task The_OpenAI_SDK_gets_a_chat_answer_with_its_usage_and_the_tenant_is_metered_in_tokens()
    {
        using var lm = new LanguageServer();
        var tenant = await lm.Server.CreateTenant("acme", [LanguageServer.ModelName]);
        var expected = lm.Greedy(ChatTemplate.Apply([("user", "Hello there")]), 12, ChatTemplate.Stops);

        ChatCompletion completion = await Chat(lm, tenant.Key).CompleteChatAsync([new UserChatMessage("Hello there")],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 });

        Assert.Equal(expected.Text, completion.Content.Count == 0 ? "" : completion.Content[0].Text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(expected.PromptTokens, completion.Usage.InputTokenCount);
        Assert.Equal(expected.TokenIds.Count, completion.Usage.OutputTokenCount);
        Assert.Equal(expected.PromptTokens + expected.TokenIds.Count, completion.Usage.TotalTokenCount);
        using var admin = lm.Server.Client();
        var usage = Assert.Single((await admin.GetFromJsonAsync<UsageRow[]>($"/v1/usage?tenant={tenant.TenantId}"))!);
        Assert.Equal((1L, (long)expected.PromptTokens, (long)expected.TokenIds.Count), (usage.Requests, usage.PromptTokens, usage.CompletionTokens));
    }

    [Fact]
    public async Task The_OpenAI_SDK_streams_a_chat_answer_that_joins_to_the_plain_one()
    {
        using var lm = new LanguageServer();
        var tenant = await lm.Server.CreateTenant("acme", ["*"]);
        var expected = lm.Greedy(ChatTemplate.Apply([("system", "Be brief."), ("user", "Hi.")]), 20, ChatTemplate.Stops);
        var text = new StringBuilder();
        var updates = 0;
        ChatTokenUsage? usage = null;

        await foreach (var update in Chat(lm, tenant.Key).CompleteChatStreamingAsync(
                           [new SystemChatMessage("Be brief."), new UserChatMessage("Hi.")],
                           new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 20 }))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
                text.Append(part.Text);
            usage = update.Usage ?? usage;
        }

        Assert.Equal(expected.Text, text.ToString());
        Assert.True(updates > 2, $"the answer came in pieces ({updates} updates)");
        Assert.NotNull(usage); // the SDK asks for include_usage; the last chunk carries it
        Assert.Equal((expected.PromptTokens, expected.TokenIds.Count), (usage!.InputTokenCount, usage.OutputTokenCount));
    }

    [Fact]
    public async Task Completions_answer_plainly_and_stream_server_sent_events_ending_in_done()
    {
        using var lm = new LanguageServer();
        using var client = lm.Server.Client();
        var expected = lm.Greedy("the fox", 10, ["zz"]);
        var body = new { model = LanguageServer.ModelName, prompt = "the fox", max_tokens = 10, temperature = 0, stop = "zz" };

        var plain = await (await client.PostAsJsonAsync("/v1/completions", body)).Content.ReadFromJsonAsync<JsonElement>();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { model = LanguageServer.ModelName, prompt = "the fox", max_tokens = 10, temperature = 0, stop = new[] { "zz" }, stream = true, stream_options = new { include_usage = true } }),
        };
        using var streamed = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = (await streamed.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text_completion", plain.GetProperty("object").GetString());
        Assert.Equal(expected.Text, plain.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(expected.TokenIds.Count, plain.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("text/event-stream", streamed.Content.Headers.ContentType?.MediaType);
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        Assert.Equal(expected.Text, string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0).Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString())));
        var usage = chunks[^1].GetProperty("usage");
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal((expected.PromptTokens, expected.TokenIds.Count), (usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32()));
    }

    [Fact]
    public async Task The_OpenAI_model_list_shows_the_language_models_a_key_is_granted()
    {
        using var lm = new LanguageServer();
        var granted = await lm.Server.CreateTenant("acme", [LanguageServer.ModelName]);
        var other = await lm.Server.CreateTenant("other", ["iris"]);

        var seen = await lm.Server.Client(granted.Key).GetFromJsonAsync<JsonElement>("/v1/openai/models");
        var hidden = await lm.Server.Client(other.Key).GetFromJsonAsync<JsonElement>("/v1/openai/models");

        Assert.Equal("list", seen.GetProperty("object").GetString());
        Assert.Equal(LanguageServer.ModelName, Assert.Single(seen.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
        Assert.Empty(hidden.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task Several_choices_come_back_with_their_indexes_and_their_tokens_summed()
    {
        using var lm = new LanguageServer();
        using var client = lm.Server.Client();

        var answer = await (await client.PostAsJsonAsync("/v1/completions", new { model = LanguageServer.ModelName, prompt = "a", max_tokens = 8, n = 3, seed = 5 }))
            .Content.ReadFromJsonAsync<JsonElement>();

        var choices = answer.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
        var tokens = choices.Sum(c => lm.Tokenizer.Encode(c.GetProperty("text").GetString()!).Count);
        Assert.Equal(tokens, answer.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ModelLoop.Serving.Tests.Api;

/// <summary>Every kind of bad input gets a 4xx ProblemDetails that says what was wrong — never a 5xx.</summary>
public sealed class BadInputTests
{
    public static TheoryData<string, string, int, string> Bodies => new()
    {
        { "iris", "{ \"inputs\": [[1, 2, 3", 400, "not valid JSON" },
        { "iris", "", 400, "empty" },
        { "iris", "[1, 2, 3, 4]", 400, "JSON object" },
        { "iris", "{ \"returnOutputs\": true }", 400, "none of" },
        { "iris", "{ \"values\": [[1, 2, 3, 4]] }", 400, "\"values\" is not a field of a predict body" },
        { "iris", "{ \"inputs\": [[1, 2, 3]] }", 400, "takes 4 per item" },
        { "iris", "{ \"inputs\": [[1, 2, \"three\", 4]] }", 400, "expected a number" },
        { "iris", "{ \"inputs\": [[1, 2, \"NaN\", 4]] }", 400, "NaN" },
        { "iris", "{ \"inputs\": [[1, NaN, 3, 4]] }", 400, "not valid JSON" },
        { "iris", "{ \"inputs\": [[1, Infinity, 3, 4]] }", 400, "not valid JSON" },
        { "iris", "{ \"inputs\": [[1, true, 3, 4]] }", 400, "boolean" },
        { "iris", "{ \"inputs\": [[1, 2, 1e39, 4]] }", 400, "finite" },
        { "iris", "{ \"inputs\": [] }", 400, "at least one" },
        { "iris", "{ \"inputs\": 5 }", 400, "array of items" },
        { "iris", "{ \"records\": [{ \"sepal_length\": 1 }] }", 400, "lacks feature" },
        { "iris", "{ \"record\": { \"sepal_length\": 1, \"sepal_width\": 1, \"petal_length\": 1, \"petal_width\": 1, \"colour\": 2 } }", 400, "colour" },
        { "digits", "{ \"inputs\": [[[[1, 2], [3, 4]]]] }", 400, "array of 8" },
        { "digits", "{ \"images\": [\"AAAA\"] }", 400, "neither 64 raw pixel bytes nor an image" },
        { "digits", "{ \"images\": [\"not base64!\"] }", 400, "base64 string" },
        { "digits", "{ \"records\": [{ \"a\": 1 }] }", 400, "no feature names" },
        { "unknown", "{ \"inputs\": [[1, 2, 3, 4]] }", 404, "No model 'unknown'" },
        { "iris", "{ \"inputs\": [[1, 2, 3, 4]], \"records\": [] }", 400, "both \"inputs\" and \"records\"" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task BadBodiesGetAProblemDetailsThatSaysWhatWasWrong(string model, string body, int status, string detailPart)
    {
        using var server = new ServerHost();
        using var client = server.Client();

        var response = await client.PostAsync($"/v1/models/{model}/predict", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblem(response, status, detailPart);
    }

    [Fact]
    public async Task AnUnknownVersionNamesTheVersionsThatExist()
    {
        using var server = new ServerHost();
        using var client = server.Client();

        var response = await client.PostAsJsonAsync("/v1/models/iris/predict?version=9", new { inputs = new[] { new[] { 1f, 2f, 3f, 4f } } });

        var detail = await AssertProblem(response, 404, "no version or alias '9'");
        Assert.Contains("production", detail);
    }

    [Fact]
    public async Task AnOversizedBodyGets413AndTooManyItemsGet400()
    {
        using var server = new ServerHost(new() { ["Serving:MaxRequestBytes"] = "2000", ["Serving:MaxItemsPerRequest"] = "10" });
        using var client = server.Client();
        var big = Enumerable.Repeat(new[] { 1f, 2f, 3f, 4f }, 200).ToArray();
        var many = Enumerable.Repeat(new[] { 1f, 2f, 3f, 4f }, 11).ToArray();

        await AssertProblem(await client.PostAsJsonAsync("/v1/models/iris/predict", new { inputs = big }), 413, "at most 2000");
        await AssertProblem(await client.PostAsJsonAsync("/v1/models/iris/predict", new { inputs = many }), 400, "at most 10");
    }

    [Fact]
    public async Task AMissingOrUnknownKeyGets401()
    {
        using var server = new ServerHost();
        using var anonymous = server.Client(key: null);
        using var wrong = server.Client(key: "ml_not-a-key");

        await AssertProblem(await anonymous.GetAsync("/v1/models"), 401, "No API key");
        await AssertProblem(await wrong.GetAsync("/v1/models"), 401, "not known");
    }

    [Fact]
    public async Task AMalformedAdminBodyGets400NotAServerError()
    {
        using var server = new ServerHost();
        using var admin = server.Client();

        var response = await admin.PostAsync("/v1/admin/tenants", new StringContent("{ \"name\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ABrokenRunFolderGets503AndOtherModelsKeepWorking()
    {
        using var server = new ServerHost();
        File.WriteAllText(Path.Combine(server.ModelsPath, "iris", "2", "artifact", Artifacts.ModelArtifact.WeightsFile), "not weights");
        using var client = server.Client();

        var broken = await client.PostAsJsonAsync("/v1/models/iris/predict?version=2", new { input = new[] { 1f, 2f, 3f, 4f } });
        var working = await client.PostAsJsonAsync("/v1/models/iris/predict?version=1", new { input = new[] { 1f, 2f, 3f, 4f } });

        await AssertProblem(broken, 503, "problem on the server's side");
        Assert.Equal(HttpStatusCode.OK, working.StatusCode);
    }

    internal static async Task<string> AssertProblem(HttpResponseMessage response, int status, string detailPart)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(detailPart, detail, StringComparison.OrdinalIgnoreCase);
        return detail;
    }
}

using System.Net;

namespace ModelLoop.Serving.Tests.Api;

public sealed class KeyAbuseTests
{
    [Fact]
    public async Task Past_the_failed_key_limit_an_address_gets_429_even_with_a_valid_key()
    {
        using var server = new ServerHost(new() { ["Serving:FailedKeyAttemptsPerMinute"] = "3" });
        using var guesser = server.Client("ml_guess");
        using var admin = server.Client();

        var failures = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
            failures.Add((await guesser.GetAsync("/v1/models")).StatusCode);
        var limited = await guesser.GetAsync("/v1/models");
        var valid = await admin.GetAsync("/v1/models"); // same (test) address: not checked until the window ends
        var health = await guesser.GetAsync("/health/live");

        Assert.All(failures, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        await BadInputTests.AssertProblem(limited, 429, "missing, unknown or revoked API key");
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, valid.StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, health.StatusCode);
    }

    [Theory]
    [InlineData("change-me")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void A_weak_admin_key_stops_the_start_saying_how_to_generate_one(string weak)
    {
        using var server = new ServerHost(new() { ["Serving:AdminKey"] = weak });

        var error = Assert.ThrowsAny<Exception>(() => server.Client());

        Assert.Contains("openssl rand -base64 32", error.ToString());
        Assert.Contains($"at least {Serving.Tenants.AdminKeyPolicy.MinLength} characters", error.ToString());
    }
}

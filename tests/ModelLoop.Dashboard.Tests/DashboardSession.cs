using System.Net;
using System.Text.RegularExpressions;

namespace ModelLoop.Dashboard.Tests;

/// <summary>A browser-like HTTP client of the dashboard: keeps cookies, does not follow redirects, posts forms with their antiforgery token.</summary>
internal sealed partial class DashboardSession : IDisposable
{
    private readonly HttpClient _client;

    public DashboardSession(DashboardHost host) : this(host.Url)
    {
    }

    public DashboardSession(string url)
    {
        Cookies = new CookieContainer();
        _client = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };
    }

    public CookieContainer Cookies { get; }

    [GeneratedRegex(@"name=""__RequestVerificationToken""[^>]*value=""([^""]+)""")]
    private static partial Regex TokenField();

    public static Task<DashboardSession> LogIn(DashboardHost host, string key) => LogIn(host.Url, key);

    public static async Task<DashboardSession> LogIn(string url, string key)
    {
        var session = new DashboardSession(url);
        var response = await session.Post("/ui/login", "/ui/login", new() { ["key"] = key });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return session;
    }

    public Task<HttpResponseMessage> Get(string path) => _client.GetAsync(path);

    public async Task<string> Text(string path)
    {
        var response = await Get(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The antiforgery token of the page at <paramref name="page"/> (read as the browser would).</summary>
    public async Task<string> Token(string page)
    {
        var html = await (await Get(page)).Content.ReadAsStringAsync();
        var match = TokenField().Match(html);
        Assert.True(match.Success, $"No antiforgery token on {page}.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Posts a form to <paramref name="action"/> with the token from <paramref name="page"/> (null: without a token).</summary>
    public async Task<HttpResponseMessage> Post(string action, string? page, Dictionary<string, string> fields)
    {
        if (page is not null)
            fields["__RequestVerificationToken"] = await Token(page);
        return await _client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    public void Dispose() => _client.Dispose();
}

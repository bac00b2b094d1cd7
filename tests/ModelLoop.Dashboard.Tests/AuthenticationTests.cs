using System.Net;

namespace ModelLoop.Dashboard.Tests;

/// <summary>Login, cookies, antiforgery and what each kind of user may see — checked on the server, without a browser.</summary>
[Collection(DashboardCollection.Name)]
public sealed class AuthenticationTests(DashboardHost host)
{
    [Fact]
    public async Task A_page_without_a_login_redirects_to_the_login_form()
    {
        using var anonymous = new DashboardSession(host);

        var response = await anonymous.Get("/ui/runs");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/ui/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logging_in_sets_an_HttpOnly_SameSite_Strict_cookie_that_holds_no_key()
    {
        using var session = new DashboardSession(host);

        var response = await session.Post("/ui/login", "/ui/login", new() { ["key"] = host.Acme.Key });

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(DashboardAuth.Scheme + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/ui", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(host.Acme.Key, cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_key_does_not_log_in()
    {
        using var session = new DashboardSession(host);

        var response = await session.Post("/ui/login", "/ui/login", new() { ["key"] = "ml_not-a-real-key" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("not valid", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await session.Get("/ui/models")).StatusCode);
    }

    [Fact]
    public async Task A_form_posted_without_its_antiforgery_token_is_refused()
    {
        using var admin = await DashboardSession.LogIn(host, DashboardHost.AdminKey);

        var response = await admin.Post($"/ui/tenants/detail/{host.Acme.Id}?handler=CreateKey", page: null, new());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("ml_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_sees_only_its_own_models_keys_and_usage()
    {
        using var acme = await DashboardSession.LogIn(host, host.Acme.Key);

        var models = await acme.Text("/ui/models");
        var own = await acme.Get($"/ui/tenants/detail/{host.Acme.Id}");
        var other = await acme.Get($"/ui/tenants/detail/{host.Globex.Id}");
        var otherModel = await acme.Get("/ui/models/detail/other");
        var otherReport = await acme.Get("/ui/models/other/1/report");
        var tenantList = await acme.Get("/ui/tenants");

        Assert.Contains("/ui/models/detail/m\"", models, StringComparison.Ordinal);
        Assert.DoesNotContain("/ui/models/detail/other", models, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherModel.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherReport.StatusCode);
        Assert.Equal($"/ui/tenants/detail/{host.Acme.Id}", tenantList.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/ui/runs")]
    [InlineData("/ui/studies")]
    [InlineData("/ui/monitoring")]
    [InlineData("/ui/serving")]
    public async Task A_tenant_is_denied_the_operators_pages(string path)
    {
        using var acme = await DashboardSession.LogIn(host, host.Acme.Key);

        var response = await acme.Get(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/ui/denied", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ui/serving/figures")]
    [InlineData("/ui/runs/curves?id=x")]
    [InlineData("/ui/runs/x/events")]
    public async Task A_tenant_gets_403_from_the_operators_data(string path)
    {
        using var acme = await DashboardSession.LogIn(host, host.Acme.Key);

        var response = await acme.Get(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_tenant_cannot_promote_even_with_a_valid_form()
    {
        using var acme = await DashboardSession.LogIn(host, host.Acme.Key);
        var before = host.Registry.GetAliasVersion("m", "production");

        var response = await acme.Post("/ui/models/detail/m?handler=Promote", "/ui/models/detail/m",
            new() { ["version"] = "2", ["alias"] = "production", ["reason"] = "mine now", ["confirm"] = "true" });

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before, host.Registry.GetAliasVersion("m", "production"));
    }

    [Fact]
    public async Task A_tenant_cannot_revoke_another_tenants_key()
    {
        var victim = await host.CreateTenant("victim", "other");
        using var acme = await DashboardSession.LogIn(host, host.Acme.Key);
        var victimKeyId = await KeyIdOf(victim);

        var response = await acme.Post($"/ui/tenants/detail/{host.Acme.Id}?handler=Revoke", $"/ui/tenants/detail/{host.Acme.Id}",
            new() { ["keyId"] = victimKeyId, ["confirm"] = "true" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var client = host.Client(victim.Key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);
    }

    [Fact]
    public async Task A_new_key_is_shown_once_works_and_is_never_rendered_again()
    {
        var tenant = await host.CreateTenant("keys-once", "m");
        using var session = await DashboardSession.LogIn(host, tenant.Key);
        var page = $"/ui/tenants/detail/{tenant.Id}";

        var created = await session.Post(page + "?handler=CreateKey", page, new());
        var html = await created.Content.ReadAsStringAsync();
        var key = System.Text.RegularExpressions.Regex.Match(html, "ml_[A-Za-z0-9_-]{20,}").Value;
        var later = await session.Text(page);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.True(created.Headers.CacheControl?.NoStore, "The answer that shows a new key must not be stored by caches.");
        Assert.NotEmpty(key);
        Assert.DoesNotContain(key, later, StringComparison.Ordinal);
        Assert.DoesNotContain("ml_", later, StringComparison.Ordinal);
        using var client = host.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);
    }

    [Fact]
    public async Task Revoking_the_key_behind_a_session_ends_the_session()
    {
        var tenant = await host.CreateTenant("short-lived", "m");
        using var session = await DashboardSession.LogIn(host, tenant.Key);
        var keyId = await KeyIdOf(tenant);
        using var admin = await DashboardSession.LogIn(host, DashboardHost.AdminKey);
        var page = $"/ui/tenants/detail/{tenant.Id}";
        Assert.Equal(HttpStatusCode.OK, (await session.Get(page)).StatusCode);

        var revoked = await admin.Post(page + "?handler=Revoke", page, new() { ["keyId"] = keyId, ["confirm"] = "true" });

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await session.Get(page)).StatusCode);
    }

    // The id of a tenant's first key, as the admin's tenant page lists it.
    private async Task<string> KeyIdOf((string Id, string Key) tenant)
    {
        using var admin = await DashboardSession.LogIn(host, DashboardHost.AdminKey);
        var html = await admin.Text($"/ui/tenants/detail/{tenant.Id}");
        return System.Text.RegularExpressions.Regex.Match(html, "data-key=\"(k_[0-9a-f]+)\"").Groups[1].Value;
    }
}

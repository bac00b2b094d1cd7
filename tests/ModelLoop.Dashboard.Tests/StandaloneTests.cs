using System.Net;
using Microsoft.AspNetCore.Builder;

namespace ModelLoop.Dashboard.Tests;

/// <summary><c>modelloop ui</c>: the dashboard alone over a home and a serving database, without the API.</summary>
public sealed class StandaloneTests
{
    [Fact]
    public async Task The_dashboard_alone_serves_the_pages_of_a_home_without_the_API()
    {
        var folder = Directory.CreateTempSubdirectory("modelloop-dashboard-ui-").FullName;
        try
        {
            var home = Path.Combine(folder, "home");
            var runs = new Tracking.RunStore(home);
            var runId = runs.StartRun("alone", new Dictionary<string, string> { ["lr"] = "0.1" });
            runs.EndRun(runId, Tracking.RunStatus.Finished);
            await using var app = DashboardApp.Build(["--urls", "http://127.0.0.1:0"],
                new DashboardOptions { Home = home, AdminKey = DashboardHost.AdminKey }, Path.Combine(folder, "serving.db"));
            await app.StartAsync();
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.Urls.First()) };
            using var admin = await DashboardSession.LogIn(app.Urls.First().TrimEnd('/'), DashboardHost.AdminKey);

            var list = await admin.Text("/ui/runs");
            var api = await client.GetAsync("/v1/models");

            Assert.Contains(runId, list, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
            await app.StopAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}

using System.CommandLine;
using System.Globalization;
using ModelLoop.Dashboard;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop ui --home DIR [--port 5100] [--db FILE]</c>: the web dashboard alone, without the API — runs, models,
/// studies, monitoring and tenants read from the home and the serving database. <c>modelloop serve</c> shows the same
/// pages under /ui next to the API (there, keys can be created and revoked, and the serving page has figures).
/// </summary>
internal static class UiCommand
{
    public static Command Create()
    {
        var home = RunsTrackingOptions.HomeOption();
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 to listen on. Defaults to 5100.", DefaultValueFactory = _ => 5100 };
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on, ';'-separated (overrides --port). Defaults to none: http://127.0.0.1:PORT." };
        var database = new Option<string>("--db") { Description = "The serving database (tenants, keys, usage) of `modelloop serve --db`. Defaults to modelloop-serving.db.", DefaultValueFactory = _ => "modelloop-serving.db" };
        var adminKeyFile = new Option<string?>("--admin-key-file") { Description = $"File holding the admin key that logs in as the administrator. Defaults to none: the {ServeCommand.AdminKeyVariable} environment variable; neither: tenants only." };
        var command = new Command("ui", "Serve the web dashboard (runs, models, tuning, monitoring, tenants) without the API, at http://127.0.0.1:PORT/ui.")
        {
            home, port, urls, database, adminKeyFile,
        };
        command.SetAction(result =>
        {
            var listen = result.GetValue(urls) ?? $"http://127.0.0.1:{result.GetValue(port).ToString(CultureInfo.InvariantCulture)}";
            var adminKey = ServeCommand.ReadAdminKey(result.GetValue(adminKeyFile));
            if (adminKey is not null)
                Serving.Tenants.AdminKeyPolicy.Check(adminKey);
            using var app = DashboardApp.Build(["--urls", listen], new DashboardOptions { Home = result.GetValue(home), AdminKey = adminKey }, result.GetValue(database)!);
            Console.WriteLine($"Dashboard of {Storage.ModelLoopHome.Resolve(result.GetValue(home))} on {listen.Split(';')[0]}/ui (Ctrl+C stops).");
            if (adminKey is null)
                Console.WriteLine($"No admin key: only tenants can log in. Set {ServeCommand.AdminKeyVariable} or pass --admin-key-file PATH.");
            app.Run();
            return 0;
        });
        return command;
    }
}

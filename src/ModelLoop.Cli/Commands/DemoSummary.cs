using System.Globalization;
using ModelLoop.Evaluation;
using Spectre.Console;
using ModelLoop.Registry;

namespace ModelLoop.Cli.Commands;

/// <summary>What one pass of the demo loop ended with, printed as the loop summary table and the next commands.</summary>
internal sealed record DemoSummary(string Name, string Home, string DatasetHash, int ChampionVersion, int ChallengerVersion, double ChampionAccuracy,
    double ChallengerAccuracy, ComparisonResult Comparison, PromotionDecision Decision, int ProductionVersion, string ChampionReport,
    string ChallengerReport, string ComparisonJson, TimeSpan Elapsed)
{
    public void Print()
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]the loop[/]").AddColumn("").AddColumn("").HideHeaders();
        void Row(string key, string value) => table.AddRow(Markup.Escape(key), Markup.Escape(value));
        Row("dataset version", DatasetHash[..12]);
        Row($"champion    {Name} v{ChampionVersion}", Invariant($"keras-cnn, test accuracy {ChampionAccuracy:P2}"));
        Row($"challenger  {Name} v{ChallengerVersion}", Invariant($"fast recipe, test accuracy {ChallengerAccuracy:P2}"));
        Row("p-value (McNemar)", Comparison.McNemar is { } test ? test.PValueText : "—");
        Row("verdict", Comparison.Verdict.ToString());
        Row("decision", Decision.Promoted ? $"promoted v{ChallengerVersion} to champion, production" : $"rejected v{ChallengerVersion} (alias challenger); v{ChampionVersion} stays");
        Row("production", $"{Name} v{ProductionVersion}");
        Row("champion report", ChampionReport);
        Row("challenger report", ChallengerReport);
        Row("comparison", ComparisonJson);
        Row("registry", Home);
        Row("wall time", Invariant($"{Elapsed.TotalSeconds:F0} s"));
        AnsiConsole.Write(table);
        foreach (var (what, line) in new[]
        {
            ("Versions, aliases and why they moved:", $"modelloop models show {Name} --home {Quote(Home)}"),
            ("Evaluate what is in production:", $"modelloop eval {Name}:production fashion-mnist --home {Quote(Home)}"),
            ($"Serve production from the registry, hot-reloading promotions (POST /v1/models/{Name}/predict):", $"modelloop serve --home {Quote(Home)} --no-keys"),
        })
            AnsiConsole.MarkupLine($"{Markup.Escape(what)}\n  [bold]{Markup.Escape(line)}[/]");
    }

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

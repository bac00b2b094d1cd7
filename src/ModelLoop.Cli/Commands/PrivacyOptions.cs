using System.CommandLine;
using System.Globalization;
using ModelLoop.Loop;
using ModelLoop.Privacy.Audit;
using ModelLoop.Privacy.Sgd;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop eval MODEL --privacy [--shadow-models 4] [--population N] [--lira online|offline] [--members SOURCE
/// --non-members SOURCE]</c>: the membership-inference audit (<see cref="MembershipAuditAddOn"/>) as a report section.
/// </summary>
internal sealed class PrivacyOptions
{
    private readonly Option<bool> _privacy = new("--privacy") { Description = "Also audit privacy: membership-inference attacks (loss threshold; LiRA with shadow models) telling the model's training rows from held-out rows; AUC and TPR at 1%/0.1% FPR in the report and evaluation.json. Defaults to off." };
    private readonly Option<int> _shadowModels = new("--shadow-models") { Description = "With --privacy: LiRA's shadow models, each trained with the model's config on a random half of the audit population; 0 runs the loss attack alone. Defaults to 4.", DefaultValueFactory = _ => 4 };
    private readonly Option<int?> _population = new("--population") { Description = "With --privacy: rows in the audit population (half training rows, half held-out rows); each shadow model trains on half of it. Defaults to twice the smaller side, at most 10,000." };
    private readonly Option<LiraVariant> _variant = new("--lira") { Description = "With --privacy: online (shadow models with and without each row) or offline (only without) LiRA. Defaults to online.", DefaultValueFactory = _ => LiraVariant.Online };
    private readonly Option<string?> _members = new("--members") { Description = "With --privacy: a labelled source of rows the model trained on (.csv/.tsv with its columns, or an image folder with one sub-folder per class), for a model without a recorded split. Give --non-members too. Defaults to the recorded split's training rows." };
    private readonly Option<string?> _nonMembers = new("--non-members") { Description = "With --privacy and --members: a labelled source of rows the model never saw. Defaults to the recorded split's validation and test rows." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _privacy, _shadowModels, _population, _variant, _members, _nonMembers })
            command.Options.Add(option);
    }

    /// <summary>
    /// The DP guarantee's section (always: it reports nothing for a model trained without DP), and the audit add-on when
    /// --privacy is given (else the audit options must not be).
    /// </summary>
    public IReadOnlyList<IEvaluationAddOn> AddOns(ParseResult result)
    {
        if (!result.GetValue(_privacy))
        {
            foreach (var option in new Option[] { _shadowModels, _population, _variant, _members, _nonMembers })
                if (result.GetResult(option) is { Implicit: false })
                    throw new ArgumentException($"{option.Name} configures the privacy audit, which runs only with --privacy. Add --privacy, or drop {option.Name}.");
            return [new DifferentialPrivacyAddOn()];
        }
        return
        [
            new DifferentialPrivacyAddOn(),
            new MembershipAuditAddOn(new MembershipAuditOptions
            {
                ShadowModels = result.GetValue(_shadowModels),
                Population = result.GetValue(_population),
                Variant = result.GetValue(_variant),
            }, result.GetValue(_members), result.GetValue(_nonMembers)),
        ];
    }

    public static void Print(MembershipAuditResult audit)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(string.Create(CultureInfo.InvariantCulture, $"Membership inference: {audit.Members:N0} members, {audit.NonMembers:N0} non-members"))
            .AddColumn("Attack").AddColumn(new TableColumn("AUC").RightAligned()).AddColumn(new TableColumn("TPR@1%FPR").RightAligned())
            .AddColumn(new TableColumn("TPR@0.1%FPR").RightAligned()).AddColumn(new TableColumn("balanced acc.").RightAligned());
        foreach (var a in audit.Attacks)
            table.AddRow(a.Attack.ToString(), F(a.Auc), F(a.TprAt1PercentFpr), F(a.TprAt01PercentFpr), F(a.BalancedAccuracy));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"No leakage keeps the AUC within 0.5 ± {audit.ChanceAucHalfWidth:0.000} (99.99%).")));
        foreach (var warning in audit.Warnings)
            AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
    }

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}

using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Evaluation.Report;
using ModelLoop.Loop;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.Audit;

/// <summary>
/// The privacy section of <see cref="EvaluationJob"/>'s report (<c>modelloop eval MODEL --privacy</c>): a
/// <see cref="MembershipAudit"/> of the evaluated model. Members are its training rows and non-members its validation
/// and test rows, rebuilt from the config (else the split) its package recorded — or both given as labelled sources.
/// </summary>
public sealed class MembershipAuditAddOn : IEvaluationAddOn
{
    /// <param name="options">The audit's options. Defaults to <see cref="MembershipAuditOptions"/>'s defaults (its Seed, Device and Log come from the evaluation).</param>
    /// <param name="members">A labelled source of rows the model trained on (a .csv/.tsv, or an image folder with one sub-folder per class). Defaults to null: from the recorded split.</param>
    /// <param name="nonMembers">A labelled source of rows it never saw, given with <paramref name="members"/>. Defaults to null.</param>
    public MembershipAuditAddOn(MembershipAuditOptions? options = null, string? members = null, string? nonMembers = null)
    {
        if ((members is null) != (nonMembers is null))
            throw new ArgumentException($"Give both members and non-members, or neither (then they come from the model's recorded split); received members {members ?? "(none)"}, non-members {nonMembers ?? "(none)"}. Pass --members and --non-members together.");
        Options = options ?? new MembershipAuditOptions();
        Members = members;
        NonMembers = nonMembers;
    }

    public MembershipAuditOptions Options { get; }
    public string? Members { get; }
    public string? NonMembers { get; }

    /// <summary>The JSON key of the section in evaluation.json.</summary>
    public const string Key = "privacy";

    public ReportSection Evaluate(EvaluationAddOnContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        var package = model.Package;
        if (package.Task != ModelTask.Classification)
            throw new ArgumentException($"The privacy audit attacks a classifier's confidence in the true class, but '{model.Description}' is a {package.Task} model. Drop --privacy for it.");
        var config = model.Config;
        if (Options.ShadowModels > 0 && config is null)
            throw new ArgumentException($"'{model.Description}' was saved without the config that trained it, so LiRA's {Options.ShadowModels} shadow models cannot be trained the same way. Pass --shadow-models 0 for the loss-threshold attack alone.");
        var options = Options with { Seed = context.Seed, Device = context.Device, Log = Options.Log ?? context.Log };
        var (members, nonMembers, template) = Data(model, config);
        using (members)
        using (nonMembers)
        using (template)
        {
            context.Log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"Privacy audit: {members.Count:N0} training rows (members), {nonMembers.Count:N0} held-out rows (non-members), {options.ShadowModels} shadow model(s)."));
            var shadows = options.ShadowModels > 0 ? new ShadowTraining(config!, template!) : null;
            var result = MembershipAudit.Run(package.Model, members, nonMembers, options, shadows);
            return Section(result, Members is null ? "the model's recorded split" : $"{Members} (members) and {NonMembers} (non-members)");
        }
    }

    /// <summary>Members, non-members and (for shadow models) the data the config loads, through the model's pipeline.</summary>
    private (TensorDataset Members, TensorDataset NonMembers, LoadedData? Template) Data(ResolvedModel model, TrainingConfig? config)
    {
        var package = model.Package;
        if (Members is not null)
        {
            var given = (DataSource.LoadLabelled(Members, package), DataSource.LoadLabelled(NonMembers!, package));
            return (given.Item1, given.Item2, Options.ShadowModels > 0 ? ChampionChallenger.LoadFor(package, config!.Data) : null);
        }
        if (config is null && package.Lineage.Split is null)
            throw new ArgumentException($"'{model.Description}' has no recorded training split: its package holds neither the config that trained it nor lineage.split, so which rows it trained on is unknown. " +
                "Pass them: --members SOURCE --non-members SOURCE (labelled .csv/.tsv files with the model's columns, or image folders with one sub-folder per class), and --shadow-models 0 unless the package has its config.");
        var loaded = ChampionChallenger.LoadFor(package, EvaluationJob.DataOf(model));
        if (package.Lineage.Split is { } split && loaded.Split.SourceSha256 != split.SourceSha256)
        {
            loaded.Dispose();
            throw new ArgumentException($"The data '{split.Source}' the model recorded has changed since training (SHA-256 {loaded.Split.SourceSha256[..12]}… now, {split.SourceSha256[..12]}… then), so its training rows cannot be rebuilt. " +
                "Pass the rows it trained on and held-out rows: --members SOURCE --non-members SOURCE.");
        }
        var heldOut = loaded.Validation is { } validation
            ? new TensorDataset(cat([validation.Features, loaded.Test.Features]), cat([validation.Labels, loaded.Test.Labels]))
            : new TensorDataset(loaded.Test.Features.detach(), loaded.Test.Labels.detach());
        return (new TensorDataset(loaded.Train.Features.detach(), loaded.Train.Labels.detach()), heldOut, loaded);
    }

    private static ReportSection Section(MembershipAuditResult result, string source)
    {
        string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        var lira = result.ShadowModels > 0
            ? $" LiRA ({result.Variant.ToString().ToLowerInvariant()}, Carlini et al. 2022) fits Gaussians to the logit-scaled confidence of {result.ShadowModels} shadow models trained like this one on random halves of the population ({(result.PerExampleVariance ? "per-example" : "pooled")} variance)."
            : " LiRA was not run (0 shadow models).";
        return new ReportSection
        {
            Key = Key,
            Heading = "Privacy: membership inference",
            Data = result,
            Paragraphs =
            [
                string.Create(CultureInfo.InvariantCulture, $"How well an attacker tells the {result.Members:N0} training rows (members) from {result.NonMembers:N0} held-out rows (non-members), taken from {source}. ") +
                "The loss-threshold attack (Yeom et al. 2018) calls low-loss rows members." + lira,
                string.Create(CultureInfo.InvariantCulture, $"An AUC of 0.5 means nothing leaks; with this population an AUC outside 0.5 ± {F(result.ChanceAucHalfWidth)} is leakage (99.99% band under no leakage). ") +
                "TPR at a low FPR is the share of members found when almost no non-member is accused; balanced accuracy is at the best threshold on this population.",
            ],
            TableHeaders = ["attack", "AUC", "TPR at 1% FPR", "TPR at 0.1% FPR", "balanced accuracy"],
            TableRows = result.Attacks.Select(a => (IReadOnlyList<string>)[MembershipPlots.Name(a.Attack), F(a.Auc), F(a.TprAt1PercentFpr), F(a.TprAt01PercentFpr), F(a.BalancedAccuracy)]).ToArray(),
            Plots =
            [
                new ReportPlot("privacy-roc", "Membership-inference ROC curves; the dashed diagonal is guessing.", MembershipPlots.Roc(result, logScale: false)),
                new ReportPlot("privacy-roc-log", "The same on log-log axes: the low false-positive regime where an attack is dangerous.", MembershipPlots.Roc(result, logScale: true)),
            ],
            Warnings = result.Warnings,
        };
    }
}

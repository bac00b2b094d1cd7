using Xunit.Abstractions;
using System.Text.Json.Nodes;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Privacy.Audit;
using ModelLoop.Training;

namespace ModelLoop.Privacy.Tests.Audit;

public sealed class MembershipAuditTests(ITestOutputHelper output) : IDisposable
{
    private readonly AuditWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    /// <summary>
    /// Half-width of the 99.99% band of an AUC under no leakage, computed here from the Mann–Whitney statistic's null
    /// distribution (mean 0.5, variance (m + n + 1) / (12·m·n)) and the normal quantile 3.89, not taken from the code
    /// under test.
    /// </summary>
    private static double ChanceBand(int members, int nonMembers) => 3.890592 * Math.Sqrt((members + nonMembers + 1.0) / (12.0 * members * nonMembers));

    [Fact]
    public void An_overfit_model_leaks_membership_far_beyond_the_chance_band_in_the_report()
    {
        // 80 training rows with random labels, 80 epochs without dropout: the model can only memorize them.
        var config = _workspace.OverfitConfig(_workspace.NoiseCsv(160), test: 0.5);
        var run = _workspace.Train(config);

        var outcome = EvaluationJob.Run(new EvaluationRequest
        {
            Model = run.RunDirectory,
            OutputDirectory = _workspace.File("eval"),
            AddOns = [new MembershipAuditAddOn(new MembershipAuditOptions { ShadowModels = 2 })],
        });

        var audit = Assert.IsType<MembershipAuditResult>(Assert.Single(outcome.Sections).Data);
        Assert.Equal(80, audit.Members);
        Assert.Equal(80, audit.NonMembers);
        var band = ChanceBand(audit.Members, audit.NonMembers);
        foreach (var attack in audit.Attacks)
            output.WriteLine($"{attack.Attack}: AUC {attack.Auc:0.000}, TPR@1%FPR {attack.TprAt1PercentFpr:0.000}, band ±{band:0.000}");
        foreach (var attack in new[] { MembershipAttack.LossThreshold, MembershipAttack.LikelihoodRatio })
            Assert.True(audit[attack].Auc > 0.5 + band, $"{attack}: AUC {audit[attack].Auc:0.000} is not above 0.5 + {band:0.000}");
        var json = JsonNode.Parse(File.ReadAllText(outcome.Report.Json))!;
        Assert.Equal(2, json["privacy"]!["attacks"]!.AsArray().Count);
        Assert.Contains("privacy-roc", json["plots"]!.AsArray().Select(p => p!.GetValue<string>()));
        var html = File.ReadAllText(outcome.Report.Html);
        Assert.Contains("data-section=\"privacy\"", html, StringComparison.Ordinal);
        Assert.Contains("data-plot=\"privacy-roc-log\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_trained_with_DP_SGD_is_audited_with_shadow_models_trained_the_same_private_way()
    {
        // The config's privacy section is the recipe: TrainingJob refuses such a config without DP-SGD, so the shadows
        // (trained from the package's config) must get it too.
        var config = _workspace.OverfitConfig(_workspace.NoiseCsv(120), test: 0.5, epochs: 3) with { Privacy = new PrivacyConfig { NoiseMultiplier = 1.0, Delta = 1e-3 } };
        var run = Privacy.Sgd.PrivateTraining.Run(config, new TrainingJobOptions { OutputDirectory = _workspace.File("dp"), Track = false, Progress = ProgressMode.Silent });
        var log = new List<string>();

        var outcome = EvaluationJob.Run(new EvaluationRequest
        {
            Model = run.RunDirectory,
            OutputDirectory = _workspace.File("eval"),
            AddOns = [new MembershipAuditAddOn(new MembershipAuditOptions { ShadowModels = 2, Log = log.Add })],
        });

        var audit = Assert.IsType<MembershipAuditResult>(Assert.Single(outcome.Sections).Data);
        Assert.Equal([MembershipAttack.LossThreshold, MembershipAttack.LikelihoodRatio], audit.Attacks.Select(a => a.Attack));
        Assert.Equal(2, log.Count(l => l.StartsWith("Shadow model", StringComparison.Ordinal)));
    }

    [Fact]
    public void Members_that_are_really_non_members_give_an_AUC_inside_the_chance_band()
    {
        // The model trains on 80 rows; the audit's "members" and non-members are two halves of the 320 rows it never saw,
        // so no score can depend on membership and both AUCs must stay within the band around 0.5.
        var config = _workspace.OverfitConfig(_workspace.NoiseCsv(400), test: 0.8);
        var run = _workspace.Train(config);
        using var package = ModelPackage.Load(run.PackagePath);
        using var data = ChampionChallenger.LoadFor(package, config.Data);
        var half = (int)data.Test.Count / 2;
        using var fakeMembers = data.Test.Slice(0, half);
        using var nonMembers = data.Test.Slice(half, half);

        var audit = MembershipAudit.Run(package.Model, fakeMembers, nonMembers, new MembershipAuditOptions { ShadowModels = 2, WorkDirectory = _workspace.File("shadows") },
            new ShadowTraining(config, data));

        Assert.Equal(half, audit.Members);
        var band = ChanceBand(half, half);
        foreach (var attack in audit.Attacks)
            output.WriteLine($"{attack.Attack}: AUC {attack.Auc:0.000}, band ±{band:0.000}");
        foreach (var attack in audit.Attacks)
            Assert.True(Math.Abs(attack.Auc - 0.5) <= band, $"{attack.Attack}: AUC {attack.Auc:0.000} is outside 0.5 ± {band:0.000}");
        Assert.Equal(2, audit.Attacks.Count);
    }

    [Fact]
    public void A_package_without_a_recorded_split_is_refused_with_what_to_pass_instead()
    {
        var csv = _workspace.NoiseCsv(40);
        using (var model = new Sequential(8) { new Dense(2) })
            ModelArtifact.Save(model, _workspace.File("bare"), new ArtifactMetadata { Task = ModelTask.Classification });
        using var resolved = ModelResolver.Resolve(_workspace.File("bare"));
        using var loaded = DataSource.Load(new DataConfig { Source = csv, Label = "label" }, ModelTask.Classification);

        var error = Assert.Throws<ArgumentException>(() => new MembershipAuditAddOn(new MembershipAuditOptions { ShadowModels = 0 }).Evaluate(new EvaluationAddOnContext
        {
            Model = resolved, Data = new DataConfig { Source = csv }, Loaded = loaded, OutputDirectory = _workspace.File("eval"),
        }));

        Assert.Contains("no recorded training split", error.Message, StringComparison.Ordinal);
        Assert.Contains("--members SOURCE --non-members SOURCE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Members_given_without_non_members_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new MembershipAuditAddOn(members: "train.csv"));

        Assert.Contains("--members and --non-members together", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_shadow_model_is_refused_since_LiRA_needs_one_with_and_one_without_each_example()
    {
        using var model = new Sequential(8) { new Dense(2) };
        using var data = new TensorDataset(TorchSharp.torch.randn(4, 8), TorchSharp.torch.tensor(new long[] { 0, 1, 0, 1 }));

        var error = Assert.Throws<ArgumentException>(() => MembershipAudit.Run(model, data, data, new MembershipAuditOptions { ShadowModels = 1 }));

        Assert.Contains("received 1", error.Message, StringComparison.Ordinal);
    }
}

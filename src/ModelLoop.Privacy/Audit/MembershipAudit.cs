using System.Diagnostics;
using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Data.Splits;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Privacy.Sgd;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.Audit;

/// <summary>
/// Membership-inference audit of a trained classifier: how well an attacker tells the rows it trained on (members) from
/// rows it never saw (non-members). Runs the loss-threshold attack (Yeom et al. 2018) and, with shadow models trained by
/// <see cref="TrainingJob"/> on random halves of the audit population, online or offline LiRA (Carlini et al. 2022).
/// </summary>
public static class MembershipAudit
{
    /// <summary>Audits <paramref name="target"/> on samples of <paramref name="members"/> and <paramref name="nonMembers"/>.</summary>
    /// <param name="target">The trained classifier (outputs: logits, or one probability or logit for binary models).</param>
    /// <param name="members">Rows the target trained on, through its pipeline.</param>
    /// <param name="nonMembers">Rows it never saw, from the same distribution, through its pipeline.</param>
    /// <param name="options">Population, shadow models, LiRA variant. Defaults to <see cref="MembershipAuditOptions"/>'s defaults.</param>
    /// <param name="shadows">How to train shadow models; required when <see cref="MembershipAuditOptions.ShadowModels"/> &gt; 0.</param>
    /// <exception cref="ArgumentException">Empty data, a bad option, or shadow models asked for without <paramref name="shadows"/>.</exception>
    public static MembershipAuditResult Run(Model target, TensorDataset members, TensorDataset nonMembers, MembershipAuditOptions? options = null, ShadowTraining? shadows = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(nonMembers);
        options ??= new MembershipAuditOptions();
        Check(members, nonMembers, options, shadows);
        var warnings = new List<string>();
        var random = new Random(unchecked((int)options.Seed));
        var half = (int)Math.Min(Math.Min(members.Count, nonMembers.Count), (options.Population ?? 10_000) / 2);
        if (options.Population is { } asked && asked > 2 * half)
            warnings.Add(Invariant($"The population was asked to hold {asked:N0} rows, but only {2 * half:N0} are available (half members, half non-members)."));
        using var population = Population(members, nonMembers, half, random);
        var isMember = Enumerable.Range(0, 2 * half).Select(i => i < half).ToArray();
        if (half < 1000)
            warnings.Add(Invariant($"With {half:N0} non-members the smallest non-zero false-positive rate is {1.0 / half:0.###%}, so TPR at 0.1% FPR{(half < 100 ? " and at 1% FPR" : "")} is read at 0 false positives; 1,000 non-members resolve 0.1%."));
        var phi = MembershipScores.LogitConfidence(target, population);
        var attacks = new List<MembershipAttackResult>
        {
            MembershipAttackResult.From(MembershipAttack.LossThreshold, phi.Select(p => -MembershipScores.Loss(p)).ToArray(), isMember),
        };
        if (options.ShadowModels > 0)
        {
            var (shadowPhi, trainedOn) = Shadows(population, shadows!, options, random);
            var scores = LikelihoodRatioAttack.Score(phi, shadowPhi, trainedOn, options.Variant, options.PerExampleVariance);
            attacks.Add(MembershipAttackResult.From(MembershipAttack.LikelihoodRatio, scores, isMember));
        }
        return new MembershipAuditResult
        {
            Members = half,
            NonMembers = half,
            ShadowModels = options.ShadowModels,
            Variant = options.Variant,
            PerExampleVariance = options.PerExampleVariance,
            Attacks = attacks,
            ChanceAucHalfWidth = AttackStatistics.ChanceAucHalfWidth(half, half),
            Warnings = warnings,
        };
    }

    private static void Check(TensorDataset members, TensorDataset nonMembers, MembershipAuditOptions options, ShadowTraining? shadows)
    {
        if (members.Count == 0 || nonMembers.Count == 0)
            throw new ArgumentException($"A membership audit needs members and non-members; received {members.Count} members and {nonMembers.Count} non-members. Audit a model with both training and held-out rows.");
        if (options.ShadowModels is 1 or < 0)
            throw new ArgumentException($"ShadowModels must be 0 (loss attack only) or at least 2 (each example needs a shadow model trained with it and one without); received {options.ShadowModels}.");
        if (options.Population is < 2)
            throw new ArgumentException($"Population must be at least 2 (one member, one non-member); received {options.Population}. Leave it unset for up to 10,000.");
        if (options.ShadowModels > 0 && shadows is null)
            throw new ArgumentException($"ShadowModels is {options.ShadowModels}, but no ShadowTraining (the target's config and data description) was given. Pass one, or set ShadowModels to 0 for the loss attack alone.");
    }

    /// <summary>The first <paramref name="half"/> rows are a seeded sample of members, the rest one of non-members.</summary>
    private static TensorDataset Population(TensorDataset members, TensorDataset nonMembers, int half, Random random)
    {
        using var m = DataSplits.Subset(members, Sample((int)members.Count, half, random));
        using var n = DataSplits.Subset(nonMembers, Sample((int)nonMembers.Count, half, random));
        return new TensorDataset(cat([m.Features, n.Features]), cat([m.Labels, n.Labels]));
    }

    private static int[] Sample(int count, int take, Random random)
    {
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        return order[..take].Order().ToArray();
    }

    /// <summary>
    /// Trains the shadow models and returns their φ on the population, (K, n), and which examples each trained on,
    /// (K, n). Every example is in exactly ⌊K/2⌋ shadow training sets (a random choice per example), so each has both
    /// IN and OUT observations — with independent halves some examples would have none of one kind.
    /// </summary>
    private static (double[][] Phi, bool[][] TrainedOn) Shadows(TensorDataset population, ShadowTraining shadows, MembershipAuditOptions options, Random random)
    {
        var k = options.ShadowModels;
        var n = (int)population.Count;
        var trainedOn = Enumerable.Range(0, k).Select(_ => new bool[n]).ToArray();
        var models = Enumerable.Range(0, k).ToArray();
        for (var i = 0; i < n; i++)
        {
            random.Shuffle(models);
            foreach (var shadow in models[..(k / 2)])
                trainedOn[shadow][i] = true;
        }
        var config = shadows.Config;
        var monitorsValidation = new[] { config.EarlyStopping?.Monitor, config.ReduceOnPlateau?.Monitor }.Any(m => m?.StartsWith("val_", StringComparison.Ordinal) == true);
        var work = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), "modelloop-shadows-" + Guid.NewGuid().ToString("N")[..12]);
        var phi = new double[k][];
        try
        {
            for (var s = 0; s < k; s++)
            {
                var clock = Stopwatch.StartNew();
                var inside = Enumerable.Range(0, n).Where(i => trainedOn[s][i]).ToArray();
                var outside = Enumerable.Range(0, n).Where(i => !trainedOn[s][i]).ToArray();
                using var data = shadows.Data.WithParts(DataSplits.Subset(population, inside),
                    monitorsValidation ? DataSplits.Subset(population, outside) : null, DataSplits.Subset(population, outside));
                var folder = Path.Combine(work, Invariant($"shadow-{s + 1}"));
                var shadowConfig = config with { Seed = options.Seed * 1000 + s + 1 };
                // A config with a privacy section (a model trained with `train --dp-epsilon`) trains its shadows with the
                // same DP-SGD, as TrainingJob requires of such a config.
                var result = TrainingJob.Run(shadowConfig, data, PrivateTraining.Options(shadowConfig, new TrainingJobOptions
                {
                    OutputDirectory = folder,
                    Track = false,
                    Progress = ProgressMode.Silent,
                    Device = options.Device,
                    Plugins = options.ShadowPlugins?.Invoke() ?? [],
                }));
                using (var package = ModelPackage.Load(result.PackagePath))
                {
                    package.Model.To(options.Device);
                    phi[s] = MembershipScores.LogitConfidence(package.Model, population);
                }
                Directory.Delete(folder, recursive: true);
                options.Log?.Invoke(Invariant($"Shadow model {s + 1}/{k}: trained on {inside.Length:N0} of {n:N0} population rows in {clock.Elapsed.TotalSeconds:0.0} s."));
            }
        }
        finally
        {
            if (Directory.Exists(work) && !Directory.EnumerateFileSystemEntries(work).Any() || options.WorkDirectory is null && Directory.Exists(work))
                Directory.Delete(work, recursive: true);
        }
        return (phi, trainedOn);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Diagnostics;
using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Loop;
using ModelLoop.Privacy.Audit;
using ModelLoop.Privacy.Sgd;
using ModelLoop.Training;

namespace ModelLoop.Bench;

/// <summary>
/// Membership-inference audit (loss threshold and online LiRA) of Fashion-MNIST MLPs trained on small subsets: a
/// non-private model, a deliberately overfit one, and a DP-SGD model with the same
/// architecture (DpSgdPlugin). Members are all of a model's training images; non-members as many test images; LiRA's shadow models
/// train on random halves of that population, so they see as many images as the target.
/// </summary>
internal static class PrivacyAuditBench
{
    public static int Run(BenchOptions options)
    {
        var limit = options.Int("limit", 2000);
        var epochs = options.Int("epochs", 30);
        var overfitLimit = options.Int("overfit-limit", 500);
        var overfitEpochs = options.Int("overfit-epochs", 100);
        var shadows = options.Int("shadow-models", 4);
        var epsilon = options.Double("dp-epsilon", 3);
        var dpBatch = options.Int("dp-batch", 256);
        // DP-SGD's own recipe (its noise wants larger batches, its clipped steps other rates); defaults: the non-private recipe's.
        var dpEpochs = options.Int("dp-epochs", epochs);
        var dpOptimizer = options.String("dp-optimizer", "adam");
        var dpLr = options.Double("dp-lr", 0.001);
        var dpMomentum = options.Double("dp-momentum", 0);
        var dpClip = options.Double("dp-clip", 1);
        var hidden = options.Int("hidden", 256);
        var only = options.String("only", "non-private,overfit,dp").Split(',');
        var source = options.String("data", DataSource.FashionMnistName);
        Console.WriteLine($"Privacy audit: Fashion-MNIST MLP (784-{hidden}-10), {shadows} shadow models, online LiRA, pooled variance");
        Console.WriteLine($"{"model",-34} {"train",6} {"test acc",8} {"attack",-15} {"AUC",6} {"TPR@1%",7} {"TPR@0.1%",8} {"bal.acc",7} {"±chance",7} {"s",6}");
        if (only.Contains("non-private"))
            Audit("non-private", Config(source, limit, epochs, hidden), shadows, plugins: null);
        if (only.Contains("overfit"))
            Audit("overfit (small set, many epochs)", Config(source, overfitLimit, overfitEpochs, hidden), shadows, plugins: null);
        if (!only.Contains("dp"))
            return 0;
        // The non-private model's recipe with DP-SGD (ε over the whole run, δ = 1e-5 < 1/N), larger Poisson batches as
        // DP-SGD wants; its shadow models are trained with DP-SGD too (the same recipe).
        var dp = new DpSgdOptions { TargetEpsilon = epsilon, Delta = 1e-5, MaxGradNorm = dpClip };
        var dpConfig = Config(source, limit, dpEpochs, hidden) with
        {
            BatchSize = dpBatch,
            Optimizer = new OptimizerConfig { Name = dpOptimizer, LearningRate = dpLr, Momentum = dpMomentum > 0 ? dpMomentum : null },
        };
        Audit(string.Create(CultureInfo.InvariantCulture, $"DP-SGD (ε = {epsilon:0.##}, δ = 1e-5, C = {dpClip:0.###})"), dpConfig, shadows, plugins: () => [new DpSgdPlugin(dp)]);
        return 0;
    }

    private static TrainingConfig Config(string source, int limit, int epochs, int hidden) => new()
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = [hidden], Dropout = 0 },
        Data = new DataConfig { Source = source, Validation = 0, Limit = limit },
        Optimizer = new OptimizerConfig { LearningRate = 0.001 },
        Epochs = epochs,
        BatchSize = 64,
        Seed = 1,
    };

    /// <summary>Trains the target with <paramref name="plugins"/> (none: plain SGD steps), audits it, prints one row per attack.</summary>
    internal static MembershipAuditResult Audit(string name, TrainingConfig config, int shadows, Func<IReadOnlyList<StepPlugin>>? plugins)
    {
        var clock = Stopwatch.StartNew();
        using var data = DataSource.Load(config.Data, ModelLoop.Artifacts.ModelTask.Classification);
        var work = Path.Combine(Path.GetTempPath(), "modelloop-privacy-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var run = TrainingJob.Run(config, data, new TrainingJobOptions
            {
                OutputDirectory = Path.Combine(work, "target"), Track = false, Progress = ProgressMode.Silent, Plugins = plugins?.Invoke() ?? [],
            });
            using var package = ModelLoop.Artifacts.ModelPackage.Load(run.PackagePath);
            var audit = MembershipAudit.Run(package.Model, data.Train, data.Test, new MembershipAuditOptions
            {
                ShadowModels = shadows,
                Population = 2 * (int)data.Train.Count,
                Seed = 1,
                WorkDirectory = Path.Combine(work, "shadows"),
                ShadowPlugins = plugins,
            }, new ShadowTraining(config, data));
            var accuracy = run.Test.TryGetValue("accuracy", out var a) ? a : double.NaN;
            foreach (var attack in audit.Attacks)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-34} {data.Train.Count,6} {accuracy,8:P1} {Name(attack.Attack),-15} {attack.Auc,6:0.000} {attack.TprAt1PercentFpr,7:0.000} {attack.TprAt01PercentFpr,8:0.000} {attack.BalancedAccuracy,7:0.000} {audit.ChanceAucHalfWidth,7:0.000} {clock.Elapsed.TotalSeconds,6:0}"));
            return audit;
        }
        finally
        {
            if (Directory.Exists(work))
                Directory.Delete(work, recursive: true);
        }
    }

    private static string Name(MembershipAttack attack) => attack == MembershipAttack.LossThreshold ? "loss threshold" : "LiRA (online)";
}

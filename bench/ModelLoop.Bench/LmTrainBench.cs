using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelLoop.Data;
using ModelLoop.Language.Training;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Native;
using ModelLoop.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ModelLoop.Bench;

/// <summary>
/// nanoGPT's CPU configuration (samples/LanguageModel/fortunes-char.yaml) three ways in one run, on one split of the
/// fortunes corpus: ModelLoop's <see cref="LanguageModelTraining"/> (the trainer, as `lm train` runs it), a hand-written
/// TorchSharp loop on the same model, initial weights and batches (<see cref="LmTrainHandLoop"/>), and PyTorch
/// (bench/lm_train_reference.py, Debian's python3-torch) reading the same token streams exported to --out. The sides
/// are interleaved by interval (eval_interval iterations and a validation): after each interval of the trainer (a
/// callback at the epoch's end, outside its clock) the hand-written loop and PyTorch train the same interval, in an
/// order that alternates, so a shared machine's drifting load falls on all three alike. Each reports the loss over
/// every non-overlapping window of the validation documents and training tokens/s (validations included on each side).
/// Targets: ModelLoop/hand-written time ≤ 1.05; ModelLoop's validation loss ≤ PyTorch's.
/// Options: --config PATH --max-iters N (defaults to the config's 2,000) --eval-interval N (the config's 250)
/// --threads 1 --out DIR --python /usr/bin/python3 --skip-python.
/// PyTorch needs `apt-get install python3-torch libopenblas0-pthread`: Debian's torch calls libblas.so.3, the reference
/// BLAS (~9x slower) unless OpenBLAS provides it; the bench runs it with OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = --threads.
/// </summary>
internal static class LmTrainBench
{
    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.Threads = options.Int("threads", 1);
        var config = TrainingConfig.Load(options.String("config", Path.Combine("samples", "LanguageModel", "fortunes-char.yaml")));
        var language = config.Language!;
        if (options.Int("max-iters", 0) is > 0 and var maxIters)
            config = config with { Language = language = language with { MaxIters = maxIters } };
        if (options.Int("eval-interval", 0) is > 0 and var evalInterval)
            config = config with { Language = language = language with { EvalInterval = evalInterval } };
        config.Validate();
        var folder = options.String("out", Path.Combine(Path.GetTempPath(), "modelloop-lm-train-bench"));
        Directory.CreateDirectory(folder);
        LanguageModelTraining.RegisterMetrics();
        using var data = LanguageModelData.Load(config);
        var prepared = LanguageModelTraining.Prepare(config, data.Tokenizer.VocabularySize);
        Export(data, prepared, folder);
        var tokens = (double)language.MaxIters * config.BatchSize * language.BlockSize;
        Console.WriteLine($"lm-train: GPT {language.Layers} layers × {language.Heads} heads × width {language.Width}, block {language.BlockSize}, batch {config.BatchSize}, " +
            $"{language.MaxIters} iterations in {language.Epochs} intervals of {language.StepsPerEpoch}, vocabulary {data.Tokenizer.VocabularySize}; " +
            $"train {data.Train.TokenCount:N0} tokens, validation {data.Validation.TokenCount:N0}; {TorchRuntime.Threads} thread(s); weight decay on matrices only: {prepared.Optimizer.DecayMatricesOnly}");

        using var validation = LanguageModelData.Windows(data.Validation);
        using var hand = new LmTrainHandLoop(prepared, data);
        using var python = options.Flag("skip-python") ? null : LmTrainPython.Start(options.String("python", "/usr/bin/python3"), folder, TorchRuntime.Threads);
        var interleave = new Interleave(hand, python);
        // The trainer drives: the job lm train runs (its test evaluation and package writing are outside the timed loop).
        var outcome = LanguageModelTraining.Run(config, new TrainingJobOptions
        {
            OutputDirectory = Path.Combine(folder, "modelloop"), Track = false, Progress = ProgressMode.Silent, Callbacks = [interleave],
        });
        var ours = outcome.Training.History.Epochs.Select(e => e["seconds"]).ToArray();
        double ourLoss;
        using (var package = Language.Packaging.LanguageModelPackage.Load(outcome.PackageDirectory))
            ourLoss = MeanLoss(package.Model.Network, validation);
        var handLoss = MeanLoss(hand.Network, validation);

        Console.WriteLine("interval  ModelLoop s  hand s  PyTorch s  ModelLoop/hand  ModelLoop/PyTorch");
        for (var i = 0; i < ours.Length; i++)
        {
            var py = python is null ? double.NaN : interleave.Python[i];
            Console.WriteLine(FormattableString.Invariant($"{i + 1,8}  {ours[i],11:F1}  {interleave.Hand[i],6:F1}  {py,9:F1}  {ours[i] / interleave.Hand[i],14:F3}  {ours[i] / py,17:F3}"));
        }
        Console.WriteLine(Line("ModelLoop trainer", ourLoss, tokens / ours.Sum(), ours.Sum()));
        Console.WriteLine(Line("hand-written TorchSharp", handLoss, tokens / interleave.Hand.Sum(), interleave.Hand.Sum()));
        Console.WriteLine(FormattableString.Invariant($"overhead ModelLoop/hand-written: {ours.Sum() / interleave.Hand.Sum():F3} total, {Median(ours.Zip(interleave.Hand, (a, b) => a / b)):F3} median per interval (target ≤ 1.05)"));
        if (python is not null)
        {
            var result = python.Finish();
            var seconds = (double)result["seconds"]!;
            Console.WriteLine(Line("PyTorch " + TorchVersion(options), (double)result["val_loss"]!, (double)result["tokens_per_second"]!, seconds));
            Console.WriteLine(FormattableString.Invariant($"ModelLoop/PyTorch time: {ours.Sum() / seconds:F3} total, {Median(ours.Zip(interleave.Python, (a, b) => a / b)):F3} median per interval; tokens/s ModelLoop/PyTorch {seconds / ours.Sum():F3}"));
        }
        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>After each trainer interval (outside its clock), the same interval by hand and in PyTorch, alternating which goes first.</summary>
    private sealed class Interleave(LmTrainHandLoop hand, LmTrainPython? python) : Callback
    {
        public List<double> Hand { get; } = [];
        public List<double> Python { get; } = [];

        public override void OnEpochEnd(TrainingContext context)
        {
            if (python is not null && context.Epoch % 2 == 1)
                Python.Add(python.Interval());
            Hand.Add(hand.Interval());
            if (python is not null && context.Epoch % 2 == 0)
                Python.Add(python.Interval());
            Console.WriteLine(FormattableString.Invariant($"interval {context.Epoch + 1}: ModelLoop {context.Logs["seconds"]:F1} s (val_loss {context.Logs.GetValueOrDefault("val_loss"):F4}), hand {Hand[^1]:F1} s{(python is null ? "" : $", PyTorch {Python[^1]:F1} s")}"));
        }
    }

    private static string Line(string side, double loss, double tokensPerSecond, double seconds) =>
        FormattableString.Invariant($"{side,-26} validation loss {loss:F4}  {tokensPerSecond,8:F0} tokens/s  {seconds,7:F1} s");

    /// <summary>The split as the PyTorch side reads it: int32 token streams and the recipe's numbers.</summary>
    private static void Export(LanguageModelData data, TrainingConfig config, string folder)
    {
        static void Write(Tensor stream, string path) => File.WriteAllBytes(path, stream.to(ScalarType.Int32).data<int>().ToArray().SelectMany(BitConverter.GetBytes).ToArray());
        Write(data.Train.Tokens, Path.Combine(folder, "train.bin"));
        Write(data.Validation.Tokens, Path.Combine(folder, "val.bin"));
        var language = config.Language!;
        var meta = new Dictionary<string, object>
        {
            ["vocab_size"] = data.Tokenizer.VocabularySize, ["block_size"] = language.BlockSize, ["batch_size"] = config.BatchSize,
            ["layers"] = language.Layers, ["heads"] = language.Heads, ["width"] = language.Width,
            ["max_iters"] = language.MaxIters, ["eval_interval"] = language.EvalInterval, ["eval_iters"] = language.EvalIters,
            ["learning_rate"] = config.Optimizer.LearningRate ?? 1e-3, ["min_rate"] = config.Schedule?.MinRate ?? 0, ["warmup_fraction"] = config.Schedule?.WarmupFraction ?? 0,
            ["beta2"] = config.Optimizer.Beta2 ?? 0.999, ["weight_decay"] = config.Optimizer.WeightDecay ?? 0.01, ["clip"] = config.ClipGradientNorm ?? 1e9, ["seed"] = config.Seed ?? 1,
        };
        File.WriteAllText(Path.Combine(folder, "meta.json"), JsonSerializer.Serialize(meta));
    }

    /// <summary>Mean next-token cross-entropy over every window, in evaluation mode, batches of 256.</summary>
    internal static double MeanLoss(nn.Module<Tensor, Tensor> network, TensorDataset windows)
    {
        network.eval();
        using var _ = no_grad();
        double sum = 0;
        for (long start = 0; start < windows.Count; start += 256)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(256, windows.Count - start);
            var logits = network.forward(windows.Features.narrow(0, start, count));
            sum += F.cross_entropy(logits.reshape(-1, logits.shape[2]), windows.Labels.narrow(0, start, count).reshape(-1), reduction: nn.Reduction.Sum).item<float>();
        }
        return sum / windows.Labels.numel();
    }

    private static string TorchVersion(BenchOptions options)
    {
        try
        {
            var start = new ProcessStartInfo(options.String("python", "/usr/bin/python3"), ["-c", "import torch; print(torch.__version__)"]) { RedirectStandardOutput = true };
            using var process = Process.Start(start)!;
            var version = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return version;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "(python not found)";
        }
    }
}

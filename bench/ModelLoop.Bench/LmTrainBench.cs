using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelLoop.Data;
using ModelLoop.Data.Loading;
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
/// TorchSharp loop on the same model, initial weights and batches (AdamW, the same cosine schedule, clipping, the same
/// validations), and PyTorch (bench/lm_train_reference.py, Debian's python3-torch) reading the same token streams
/// exported to --out. Each reports the loss over every non-overlapping window of the validation documents and training
/// tokens/s (validations included, the same on each side). Target: ModelLoop/hand-written time ≤ 1.05.
/// Options: --config PATH --max-iters N (defaults to the config's 2,000) --threads 1 --out DIR --python /usr/bin/python3 --skip-python.
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
        config.Validate();
        var folder = options.String("out", Path.Combine(Path.GetTempPath(), "modelloop-lm-train-bench"));
        Directory.CreateDirectory(folder);
        LanguageModelTraining.RegisterMetrics();
        using var data = LanguageModelData.Load(config);
        var prepared = LanguageModelTraining.Prepare(config, data.Tokenizer.VocabularySize);
        Export(data, prepared, folder);
        var tokens = (double)language.MaxIters * config.BatchSize * language.BlockSize;
        Console.WriteLine($"lm-train: GPT {language.Layers} layers × {language.Heads} heads × width {language.Width}, block {language.BlockSize}, batch {config.BatchSize}, " +
            $"{language.MaxIters} iterations, vocabulary {data.Tokenizer.VocabularySize}; train {data.Train.TokenCount:N0} tokens, validation {data.Validation.TokenCount:N0}; {TorchRuntime.Threads} thread(s)");

        using var validation = LanguageModelData.Windows(data.Validation);
        // 1. ModelLoop: the job lm train runs (its own test evaluation and package writing are outside the timed loop).
        var outcome = LanguageModelTraining.Run(config, new TrainingJobOptions { OutputDirectory = Path.Combine(folder, "modelloop"), Track = false, Progress = ProgressMode.Lines });
        var ourSeconds = outcome.Training.History.Epochs.Sum(e => e["seconds"]);
        double ourLoss;
        using (var package = Language.Packaging.LanguageModelPackage.Load(outcome.PackageDirectory))
            ourLoss = MeanLoss(package.Model.Network, validation);
        Console.WriteLine(Line("ModelLoop trainer", ourLoss, tokens / ourSeconds, ourSeconds));

        // 2. The same by hand.
        var (handLoss, handSeconds) = HandWritten(prepared, data, validation);
        Console.WriteLine(Line("hand-written TorchSharp", handLoss, tokens / handSeconds, handSeconds));
        Console.WriteLine($"overhead ModelLoop/hand-written: {ourSeconds / handSeconds:F3} (target ≤ 1.05)");

        // 3. PyTorch on the exported split.
        if (!options.Flag("skip-python"))
        {
            var start = new ProcessStartInfo(options.String("python", "/usr/bin/python3"), [Path.Combine("bench", "lm_train_reference.py"), folder]) { RedirectStandardOutput = true };
            start.Environment["OMP_NUM_THREADS"] = TorchRuntime.Threads.ToString(CultureInfo.InvariantCulture);
            using var python = Process.Start(start)!;
            var output = python.StandardOutput.ReadToEnd();
            python.WaitForExit();
            if (python.ExitCode != 0)
                throw new InvalidOperationException($"bench/lm_train_reference.py exited with {python.ExitCode}: {output}");
            var result = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
            var seconds = (double)result["seconds"]!;
            Console.WriteLine(Line("PyTorch " + TorchVersion(options), (double)result["val_loss"]!, (double)result["tokens_per_second"]!, seconds));
            Console.WriteLine($"ModelLoop/PyTorch time: {ourSeconds / seconds:F3}");
        }
        return 0;
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

    /// <summary>
    /// What a TorchSharp user writes: the model from the same spec and seed, AdamW, the trainer's batches (same loader,
    /// same seed), the same schedule and clipping, validation on the same windows every interval. Returns the final
    /// validation loss and the loop's seconds.
    /// </summary>
    private static (double Loss, double Seconds) HandWritten(TrainingConfig config, LanguageModelData data, TensorDataset validation)
    {
        var language = config.Language!;
        var seed = config.Seed ?? 1;
        random.manual_seed(seed);
        using var model = Model.FromSpec(ModelSpec.FromJson(config.Model.Spec!.ToJsonString()));
        var network = model.Network;
        var parameters = network.parameters().ToList();
        using var optimizer = optim.AdamW(parameters, config.Optimizer.LearningRate ?? 1e-3, 0.9, config.Optimizer.Beta2 ?? 0.999, 1e-8, config.Optimizer.WeightDecay ?? 0.01);
        var schedule = LearningRateSchedule.Cosine(config.Schedule?.MinRate ?? 0, config.Schedule?.WarmupFraction ?? 0);
        using var train = LanguageModelData.Windows(data.Train);
        using var loaded = data.ToLoadedData(config, config.Data.SplitSeed);
        var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = config.BatchSize, Shuffle = true, Seed = seed, Prefetch = 0 });
        var interval = language.StepsPerEpoch;
        random.manual_seed(seed);
        network.train();
        var clock = Stopwatch.StartNew();
        for (var epoch = 0; epoch < language.Epochs; epoch++)
        {
            var step = (long)epoch * interval;
            foreach (var batch in loader.Stream(step, interval))
            {
                using var _ = batch;
                using var scope = NewDisposeScope();
                var rate = schedule.Rate(config.Optimizer.LearningRate ?? 1e-3, step++, (long)language.MaxIters, interval);
                foreach (var group in optimizer.ParamGroups)
                    group.LearningRate = rate;
                optimizer.zero_grad();
                var logits = network.forward(batch.Features); // (B, T, V)
                var loss = F.cross_entropy(logits.reshape(-1, logits.shape[2]), batch.Labels.reshape(-1));
                loss.backward();
                nn.utils.clip_grad_norm_(parameters, config.ClipGradientNorm ?? 1e9);
                optimizer.step();
                loss.item<float>();
            }
            MeanLoss(network, loaded.Validation!);
            network.train();
        }
        var seconds = clock.Elapsed.TotalSeconds;
        return (MeanLoss(network, validation), seconds);
    }

    /// <summary>Mean next-token cross-entropy over every window, in evaluation mode, batches of 256.</summary>
    private static double MeanLoss(nn.Module<Tensor, Tensor> network, TensorDataset windows)
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

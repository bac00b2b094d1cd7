using ModelLoop.Bench;

// Benchmarks print their figures (and ratios against the reference measured in the same run);
// docs/benchmarks.md records them with the command that produced them. Run in Release:
//   dotnet run -c Release --project bench/ModelLoop.Bench -- <benchmark> [options]
var name = args.FirstOrDefault() ?? "";
var options = BenchOptions.Parse(args.Skip(1).ToArray());
return name switch
{
    "overhead" => TrainerOverhead.Run(options),
    "time-to-accuracy" => TimeToAccuracy.Run(options),
    "throughput" => Throughput.Run(options),
    "registry" => RegistryBench.Run(options),
    "evaluation" => EvaluationSpeed.Run(options),
    "serving" => ServingLoad.Run(options),
    "prediction-log" => PredictionLogOverhead.Run(options),
    "loader" => LoaderBenchmark.Run(options),
    "fuzz" => ModelLoop.Bench.Fuzz.FuzzBenchmark.Run(options),
    "feedback" => FeedbackLoopBench.Run(options),
    "onnx" => OnnxLatency.Run(options),
    "quantization" => QuantizationBench.Run(options),
    "compression" => CompressionBench.Run(options),
    "tuning" => TuningBench.Run(options),
    "overload" => OverloadBench.Run(options),
    "generation" => GenerationBench.Run(options),
    "lm-serve" => LmServeBench.Run(options),
    "privacy-audit" => PrivacyAuditBench.Run(options),
    "federated" => FederatedBench.Run(options),
    "dashboard" => DashboardBench.Run(options),
    "lm-train" => LmTrainBench.Run(options),
    "lm-gc-stress" => LmGcStressBench.Run(options),
    "dp" => DpSgdBench.Run(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: ModelLoop.Bench <benchmark> [--key value …]
          throughput         img/s of zoo CNNs on random images, float32 and bfloat16 (--images N --batch B)
          overhead           ModelLoop Fit vs a hand-written TorchSharp loop, seed Keras CNN (--limit N --rounds R --batch B)
          time-to-accuracy   the fast recipe on Fashion-MNIST; test accuracy after each epoch, time to 93% and
                             accuracy at --budget seconds (--epochs E --width W --convs 1,2,2 --flip --tta
                             --eval-from E --target 0.93 --precision bf16|fp32)
          registry           artifact save/load+verify of ResNet-18 (plain, AES-GCM), promotions/s, alias polls/s,
                             metric-logging transactions/s (--rounds N)
          evaluation         all classification metrics and champion vs challenger on synthetic outputs (--samples N --classes K --rounds R)
          serving            dynamic batching vs one-request-one-forward on loopback: req/s, p50/p99, CPU
                             (--model keras-cnn|mlp|wide-mlp|tiny --clients 64 --seconds 10 --warmup 2 --max-batch 32
                             --max-delay-ms 2 --rounds R; --threads defaults to 1, the server's default)
          prediction-log     serving throughput with the prediction log off, on (hash) and on (raw inputs), and the
                             ratios to off (--clients 32 --seconds 10 --warmup 2 --rounds 3 --model keras-cnn|mlp|tiny)
          loader             Fashion-MNIST: time to load all 70k images (--rounds R), and DataLoader images/s with
                             flip + crop augmentation and prefetch vs the trainer's images/s (--batch B --trainer-ips X)
          feedback           the demo's whole loop: drift false alarms (20 clean windows) and detection delay, recovery
                             after retraining on feedback (shifted +points with McNemar, clean −points) (--epochs E --out DIR)
          onnx               ONNX Runtime fp32 vs TorchSharp: batch-1 latency and batched img/s of zoo models (--iterations N --batch B; --threads defaults to 1)
          quantization       seed Keras CNN: fp32 TorchSharp vs static int8 ONNX Runtime (and fp32 ORT): batch-1 latency, img/s,
                             size, test accuracy; interleaved (--epochs 3 --limit N --batch 256 --rounds 5 --calls 300 --threads 1,2 --save DIR --verbose)
          compression        pruning (global 90%, channels 50%), distillation and few-label transfer of the seed Keras CNN on
                             Fashion-MNIST, each against the baseline of the same run (--epochs E --fine-tune-epochs F --limit N --only abcd --temperature 4 --alpha 0.7)
          tuning             hyperparameter search: TPE vs random best-of-N val_loss over seeds (breast_cancer.csv), ASHA vs
                             unpruned best accuracy and wall time on Fashion-MNIST (--part a|b|all --trials 20 --seeds 5 --tpe-epochs 10
                             --limit 3000 --epochs 9 --asha-trials 18)
          overload           the server as a process under 2,000 clients at once: only 200/429/503, peak RSS vs --memory-bound-mb,
                             metered items == answered items; then req/s at --clients 32 vs --baseline PATH (another build's
                             ModelLoop.Cli) (--server PATH --overload-clients 2000 --requests 3 --items 64 --seconds 10 --rounds 3)
          generation         GPT (nanoGPT CPU size, block 256): greedy tokens/s with the KV cache vs recomputing the prefix, time
                             to first token (--new-tokens 256 --rounds 3 --prompt-tokens 128 --block 256; --threads defaults to 1)
          lm-serve           continuous batching in the server: aggregate tokens/s of --streams 8 concurrent streaming /v1/completions
                             clients vs 1 (GPT nanoGPT CPU size, random weights; --new-tokens 128 --requests 2 --rounds 3; --threads defaults to 1)
          privacy-audit      membership inference (loss threshold, online LiRA) on Fashion-MNIST MLPs: non-private, overfit, DP;
                             attack AUC and TPR at 1%/0.1% FPR (--limit 2000 --epochs 30 --overfit-limit 500 --overfit-epochs 100
                             --shadow-models 4 --dp-epsilon 3 --dp-batch 256 --only non-private,overfit,dp --hidden 256; DP recipe:
                             --dp-epochs (--epochs) --dp-optimizer adam --dp-lr 0.001 --dp-momentum 0 --dp-clip 1)
          federated          FedAvg on Orleans, 10 owners of a Dirichlet(0.5) split of Fashion-MNIST, MLP: accuracy vs centralized
                             training, rounds and bytes to within 1.5 points, secure aggregation's traffic vs FedAvg's
                             (--clients 10 --alpha 0.5 --rounds 40 --local-epochs 1 --central-epochs 10 --secure-rounds 2; --threads defaults to 1)
          dashboard          server time per /ui page over 10,000 generated runs and 1,000,000 metric points, and first
                             contentful paint per page in headless chromium (--runs N --points P --rounds R --paint-rounds R --no-browser)
          lm-train           nanoGPT's CPU config on fortunes: ModelLoop trainer vs hand-written TorchSharp loop vs PyTorch
          lm-gc-stress       generation under forced garbage collections: outputs and errors vs an unstressed run (--rounds N)
                             (bench/lm_train_reference.py): validation loss, tokens/s (--max-iters N --threads 1 --out DIR --skip-python)
          dp                 DP-SGD on Fashion-MNIST: step time vs the non-private step (same CNN and batch), and test accuracy
                             at (ε, δ) = (3, 1e-5) (--part speed|accuracy|all --batch 2048 --steps 8 --rounds 3 --epochs 40 --lr 4 --clip 0.1
                             --model scatternet|cnn --validation N: score N held-out training images instead of the test set)
          fuzz               mutation-fuzzes every data parser; prints inputs run and crashes (--inputs N --seed S --target name)
        all take --threads T (default 2, the reference machine) and --data DIR (Fashion-MNIST IDX folder).
        """);
    return 2;
}

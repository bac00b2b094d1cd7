using System.Diagnostics;
using ModelLoop.Training;
using TorchSharp;
using static ModelLoop.Tests.Training.TrainingFixtures;

namespace ModelLoop.Tests.Training;

public sealed class NativeMemoryTests
{
    [Theory]
    [InlineData(Precision.Float32)]
    [InlineData(Precision.BFloat16)]
    public void LiveTensorCountIsTheSameAtTheEndOfEveryEpoch(Precision precision)
    {
        using var folder = new TempFolder();
        using var train = Classification(512);
        using var validation = Classification(128, seed: 2);
        using var model = Classifier(dropout: 0.2, options: new CompileOptions { L2 = 1e-4, ClipGradientNorm = 1.0 });
        var counter = new LiveTensorCounter();
        var options = Options(epochs: 6) with
        {
            Precision = precision,
            Schedule = LearningRateSchedule.Cosine(warmupFraction: 0.1),
            CheckpointPath = folder.File("run.ckpt"),
            // The live count is per thread: prefetched batches are made on another thread and freed on this one.
            // Gathering them here keeps the count exact; the resident-memory test below covers the prefetch path.
            Prefetch = 0,
        };
        var before = LiveTensorCounter.Live;

        model.Fit(train, options, validation, [counter]);

        var report = $"live tensors before Fit {before}, at each epoch's end [{string.Join(", ", counter.Counts)}], after Fit {LiveTensorCounter.Live}";
        Assert.Equal(6, counter.Counts.Count);
        Assert.True(counter.Counts.All(c => c == counter.Counts[0]), report);
        Assert.True(LiveTensorCounter.Live == before, report); // the optimizer state and the bf16 copy are freed too
    }

    [Fact]
    public void ResidentMemoryStaysWithinALooseBoundOverManyEpochs()
    {
        using var train = Classification(512);
        using var model = Classifier();
        var memory = new List<long>();

        model.Fit(train, Options(epochs: 12), callbacks: [new ResidentMemoryRecorder(memory)]);

        // After the first epochs have allocated what they need, a leak of one batch's tensors per step would add
        // several MB per epoch; allow generous slack for the allocator and the GC.
        var growth = memory[^1] - memory[2];
        Assert.True(growth < 64L << 20, $"RSS grew by {growth >> 20} MB from epoch 3 to epoch 12: [{string.Join(", ", memory.Select(m => m >> 20))}] MB");
    }

    /// <summary>Live tensors created on this thread (TorchSharp's dispose-scope statistics) at each epoch's end.</summary>
    private sealed class LiveTensorCounter : Callback
    {
        public static long Live => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        public List<long> Counts { get; } = new();

        public override void OnEpochEnd(TrainingContext context) => Counts.Add(Live);
    }

    private sealed class ResidentMemoryRecorder(List<long> memory) : Callback
    {
        public override void OnEpochEnd(TrainingContext context)
        {
            using var self = Process.GetCurrentProcess();
            memory.Add(self.WorkingSet64);
        }
    }
}

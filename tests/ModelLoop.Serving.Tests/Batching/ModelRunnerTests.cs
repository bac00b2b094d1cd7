using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Tests.Batching;

public sealed class ModelRunnerTests
{
    private static ServableModel Servable(int maxBatch, double delayMs, int capacity = 1024) =>
        new("iris", "1", TestModels.Tabular(5), new InputSchema([4], Modeling.InputKind.Float, null), null,
            new BatchingOptions { MaxBatchSize = maxBatch, MaxDelay = TimeSpan.FromMilliseconds(delayMs), QueueCapacity = capacity });

    [Fact]
    public async Task ConcurrentRequestsShareForwardPassesAndEachGetsItsOwnRows()
    {
        using var reference = TestModels.Tabular(5);
        var runner = new ModelRunner(Servable(maxBatch: 16, delayMs: 50));
        var items = Enumerable.Range(0, 24).Select(i => new[] { i * 0.1f, 1f - i * 0.05f, i % 3, -i * 0.2f }).ToArray();
        var tasks = items.Select(item =>
        {
            Assert.Equal(EnqueueResult.Accepted, runner.TryEnqueue(item, 1, out var outcome));
            return outcome;
        }).ToArray();
        var outcomes = await Task.WhenAll(tasks);

        for (var i = 0; i < items.Length; i++)
        {
            var expected = TestModels.Reference(reference, items[i]);
            Assert.Equal(expected.Length, outcomes[i].Outputs.Length);
            for (var j = 0; j < expected.Length; j++)
                Assert.Equal(expected[j], outcomes[i].Outputs[j], 4);
        }
        Assert.Contains(outcomes, o => o.BatchItems > 1);
        Assert.All(outcomes, o => Assert.InRange(o.BatchItems, 1, 16));
        await runner.Retire();
    }

    [Fact]
    public async Task AFullQueueRefusesInsteadOfWaiting()
    {
        var runner = new ModelRunner(Servable(maxBatch: 1, delayMs: 0, capacity: 2));
        var results = Enumerable.Range(0, 200).Select(i => runner.TryEnqueue([1f, 2f, 3f, 4f], 1, out _)).ToList();
        Assert.Contains(EnqueueResult.Full, results);
        await runner.Retire();
    }

    [Fact]
    public async Task RetiringRunsWhatWasQueuedThenDisposesTheModel()
    {
        var servable = Servable(maxBatch: 4, delayMs: 20);
        var runner = new ModelRunner(servable);
        var queued = Enumerable.Range(0, 10).Select(_ =>
        {
            runner.TryEnqueue([1f, 2f, 3f, 4f], 1, out var outcome);
            return outcome;
        }).ToArray();
        var stopped = runner.Retire();

        Assert.Equal(EnqueueResult.Closed, runner.TryEnqueue([1f, 2f, 3f, 4f], 1, out _));
        var outcomes = await Task.WhenAll(queued);
        await stopped;
        Assert.All(outcomes, o => Assert.Equal(3, o.Outputs.Length));
        Assert.True(servable.IsDisposed);
    }

    [Fact]
    public async Task ARequestAskingForEmbeddingsGetsItsOwnRowsWhileItsBatchmatesGetOnlyOutputs()
    {
        using var reference = TestModels.Tabular(5);
        var runner = new ModelRunner(Servable(maxBatch: 16, delayMs: 50));
        float[][] items = [[0.5f, 1f, -1f, 2f], [1f, 0f, 3f, -0.5f], [2f, 2f, 0f, 1f]];

        runner.TryEnqueue(items[0], 1, out var plain);
        runner.TryEnqueue([.. items[1], .. items[2]], 2, out var withEmbeddings, embeddings: true);
        var (first, second) = (await plain, await withEmbeddings);

        // Dense 4 → 8 (ReLU) → 3: the embedding is the ReLU's 8 outputs, the input of the last layer.
        using var input = TorchSharp.torch.tensor(items[1].Concat(items[2]).ToArray(), [2, 4]);
        var (_, expected) = reference.ForwardWithEmbedding(input);
        Assert.Null(first.Embeddings);
        Assert.Equal(8, second.EmbeddingWidth);
        Assert.Equal(expected.data<float>().ToArray(), second.Embeddings!, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(TestModels.Reference(reference, items[0]), first.Outputs, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(TestModels.Reference(reference, items[2]), second.Outputs[3..], (a, b) => Math.Abs(a - b) < 1e-5);
        await runner.Retire();
    }
}

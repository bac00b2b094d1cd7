using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Evaluation;

public sealed class EvaluatorNativeMemoryTests
{
    /// <summary>Live tensors created on this thread (TorchSharp's dispose-scope statistics).</summary>
    private static long Live => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    [Fact]
    public void RepeatedImageEvaluationsWithExplanationsLeaveNoLiveTensorBehind()
    {
        using var train = EvaluationFixtures.Quadrants(120);
        using var test = EvaluationFixtures.Quadrants(80, seed: 9);
        using var model = EvaluationFixtures.TrainedImageClassifier(train, epochs: 1);
        var options = new EvaluationOptions { Explain = true, WrongExamples = 4, ExplainedExamples = 2 };

        AssertFlat(() => Evaluator.Evaluate(model, test, options));
    }

    [Fact]
    public void RepeatedTabularEvaluationsWithPermutationImportanceLeaveNoLiveTensorBehind()
    {
        using var test = Training.TrainingFixtures.Classification(64);
        using var model = Training.TrainingFixtures.Classifier();
        var options = new EvaluationOptions { Explain = true, ImportanceRepeats = 2 };

        AssertFlat(() => Evaluator.Evaluate(model, test, options));
    }

    [Fact]
    public void RepeatedRegressionEvaluationsLeaveNoLiveTensorBehind()
    {
        using var generator = new Generator().manual_seed(2);
        using var x = randn([64, 3], generator: generator);
        using var y = x.sum(1, keepdim: true);
        using var data = new TensorDataset(x.alias(), y.alias());
        using var model = new Sequential(3) { new Dense(1) };
        Training.TrainingFixtures.BuildSeeded(model, 1);

        AssertFlat(() => Evaluator.Evaluate(model, data, new EvaluationOptions { Explain = true, ImportanceRepeats = 2 }));
    }

    /// <summary>The first call may allocate what lasts (lazily built modules); every later call must free all it made.</summary>
    private static void AssertFlat(Func<EvaluationResult> evaluate)
    {
        evaluate();
        var before = Live;
        var counts = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            evaluate();
            counts.Add(Live);
        }
        Assert.True(counts.All(c => c == before), $"live tensors before {before}, after each evaluation [{string.Join(", ", counts)}]");
    }
}

using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Modeling;

public sealed class SequenceZooTests
{
    private const int Length = 10, Vocabulary = 12;

    [Fact]
    public void LstmClassifierLearnsWhetherToken1AppearsToOver90PercentTrainingAccuracy()
    {
        using var data = Token1Task(256);
        using var model = SequenceZoo.LstmClassifier(Length, Vocabulary, classes: 2, embedding: 16, units: 32);

        var accuracy = TrainAndMeasure(model, data, epochs: 5);

        Assert.True(accuracy > 0.9, $"training accuracy {accuracy:P1}");
    }

    [Fact]
    public void TransformerClassifierLearnsWhetherToken1AppearsToOver90PercentTrainingAccuracy()
    {
        using var data = Token1Task(256);
        using var model = SequenceZoo.TransformerClassifier(Length, Vocabulary, classes: 2, dimensions: 16, heads: 2, blocks: 1);

        var accuracy = TrainAndMeasure(model, data, epochs: 5);

        Assert.True(accuracy > 0.9, $"training accuracy {accuracy:P1}");
    }

    [Fact]
    public void LstmClassifierHonoursItsEmbeddingUnitsAndBidirectionalArguments()
    {
        using var forward = SequenceZoo.LstmClassifier(8, 10, classes: 2, embedding: 16, units: 32);
        using var both = SequenceZoo.LstmClassifier(8, 10, classes: 2, embedding: 16, units: 32, bidirectional: true);

        // Embedding 10·16; LSTM 4·(32·16 + 32·32 + 2·32) per direction; Dense (32·dirs)·2 + 2.
        Assert.Equal(160 + 6_400 + 66, forward.ParameterCount);
        Assert.Equal(160 + 12_800 + 130, both.ParameterCount);
        Assert.Equal(InputKind.TokenIds, forward.InputKind);
        Assert.Equal(new Shape(8), forward.InputShape);
    }

    [Fact]
    public void TransformerClassifierHonoursItsBlocksArgument()
    {
        using var one = SequenceZoo.TransformerClassifier(8, 10, classes: 3, dimensions: 16, heads: 4, blocks: 1);
        using var three = SequenceZoo.TransformerClassifier(8, 10, classes: 3, dimensions: 16, heads: 4, blocks: 3);

        Assert.Equal(3, three.Layers.Count(l => l is ModelLoop.Modeling.Layers.TransformerEncoderBlock));
        Assert.Equal(2 * 3_280, three.ParameterCount - one.ParameterCount); // one block of width 16, feed-forward 64
    }

    /// <summary>
    /// Sequences of <see cref="Length"/> ids from [2, <see cref="Vocabulary"/>); in half of them (label 1) one
    /// position, drawn at random, holds token 1. Seeded, so every run sees the same data.
    /// </summary>
    private static TensorDataset Token1Task(long count, long seed = 3)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator().manual_seed(seed);
        var ids = randint(2, Vocabulary, [count, Length], dtype: ScalarType.Int64, generator: generator); // (N, T)
        var labels = randint(0, 2, [count], dtype: ScalarType.Int64, generator: generator);              // (N)
        var positions = randint(0, Length, [count, 1], dtype: ScalarType.Int64, generator: generator);   // (N, 1)
        var marked = ids.scatter(1, positions, ones_like(positions));                                    // token 1 at one position
        var features = where(labels.eq(1).unsqueeze(1), marked, ids);
        return new TensorDataset(features.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    /// <summary>Seeds the weights, trains with Adam (lr 0.01) and returns the accuracy on the training data.</summary>
    private static double TrainAndMeasure(Sequential model, TensorDataset data, int epochs)
    {
        torch.random.manual_seed(5);
        _ = model.Network; // weights from the seed above
        model.Compile(OptimizerOptions.Adam(0.01), "cross_entropy", ["accuracy"]);
        model.Fit(data, new FitOptions { Epochs = epochs, BatchSize = 32, Seed = 1, Progress = ProgressMode.Silent });
        return model.Evaluate(data)["accuracy"]; // after training, without dropout
    }
}

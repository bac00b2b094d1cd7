using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;

namespace ModelLoop.Tests.Data.Preprocessing;

public sealed class BpeTextColumnTests
{
    private static readonly RawTable Reviews = new(["review"],
        Enumerable.Range(0, 60).Select(i => new string?[] { (i % 3) switch { 0 => "lower prices, lowest fees", 1 => "the lowest low", _ => $"newer and newest {i}" } }).ToArray());

    // 22 distinct reviews would be a category under the default limit of 50; 5 makes the column text.
    private static readonly PreprocessingOptions Bpe = new() { TextEncoding = TextEncoding.TokenIds, TextTokenization = TextTokenization.Bpe, BpeVocabularySize = 40, TextLength = 8, Inference = new SchemaInferenceOptions { MaxCategories = 5 } };

    [Fact]
    public void FrequentWordsBecomeSingleTokensLearnedFromTheTrainingText()
    {
        var column = Assert.IsType<BpeTextColumn>(PreprocessingPipeline.Fit(Reviews, Bpe).Columns.Single());

        Assert.Contains("lowest", column.Vocabulary);
        Assert.True(column.Vocabulary.Count <= 40);
        Assert.All(column.Merges, m => Assert.Contains(m.Replace(" ", ""), column.Vocabulary));
        Assert.Equal(column.Vocabulary.Count(t => t.Length > 1), column.Merges.Count);
    }

    [Fact]
    public void EncodingGivesOneIdPerLearnedTokenZeroPaddingAndOneForUnseenCharacters()
    {
        var pipeline = PreprocessingPipeline.Fit(Reviews, Bpe);
        var column = (BpeTextColumn)pipeline.Columns.Single();

        using var encoded = pipeline.Transform(new RawTable(["review"], [["lowest ž"]]));

        var ids = encoded.data<float>().ToArray();
        Assert.Equal(column.Vocabulary.ToList().IndexOf("lowest") + 2, ids[0]);
        Assert.Equal(1f, ids[1]);
        Assert.All(ids[2..], id => Assert.Equal(0f, id));
    }

    [Fact]
    public void ABpePipelineGivesTheSameTensorAfterAJsonRoundTrip()
    {
        var pipeline = PreprocessingPipeline.Fit(Reviews, Bpe);
        var restored = PreprocessingPipeline.FromJson(pipeline.ToJson());
        var test = new RawTable(["review"], [["newest lower fees!"], [null], ["unseen words entirely"]]);

        using var a = pipeline.Transform(test);
        using var b = restored.Transform(test);

        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        Assert.IsType<BpeTextColumn>(restored.Columns.Single());
        Assert.Equal(pipeline.Columns, restored.Columns);
    }
}

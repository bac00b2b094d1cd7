using System.Text.Json;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Data.Preprocessing;

public sealed class PreprocessingPipelineTests
{
    private static RawTable Train() => new(
        ["age", "color", "joined", "note", "label"],
        [
            ["20", "red", "2024-01-01", "hi", "yes"],
            ["30", "blue", "2024-01-03", "hey you", "no"],
            ["", "red", "NA", "ok", "yes"],
            ["50", "green", "2024-01-05", null, "no"],
        ]);

    private static float[] Values(Tensor t) => t.data<float>().ToArray();

    [Fact]
    public void TheSameRowsGiveTheSameTensorAfterAJsonRoundTrip()
    {
        var pipeline = PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { LabelColumn = "label", Outliers = OutlierHandling.IqrClip, TextLength = 4 });
        var test = new RawTable(Train().Columns, [["99", "purple", "2025-06-01", "new ✓ text", "no"], ["-3", null, null, "", "yes"]]);

        var restored = PreprocessingPipeline.FromJson(pipeline.ToJson());

        using var before = pipeline.Transform(test);
        using var after = restored.Transform(test);
        Assert.Equal(Values(before), Values(after));
        Assert.Equal(pipeline.FeatureNames, restored.FeatureNames);
        Assert.Equal(pipeline.Columns, restored.Columns);
        Assert.Equal(pipeline.ToJson(), restored.ToJson());
    }

    [Fact]
    public void StatisticsComeFromTheTrainingRowsOnlyAndMissingValuesGetTheTrainingMean()
    {
        var pipeline = PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { LabelColumn = "label", IgnoreColumns = ["color", "joined", "note"] });
        var age = Assert.IsType<NumericColumn>(pipeline.Columns.Single());

        Assert.Equal(100.0 / 3, age.Fill, 12);                   // mean of 20, 30, 50
        using var train = pipeline.Transform(Train());
        var scaled = Values(train);
        Assert.Equal(0, scaled.Average(), 5);                      // standardized over the (imputed) training rows
        Assert.Equal(1, Math.Sqrt(scaled.Select(v => v * v).Average()), 5);
        using var other = pipeline.Transform(new RawTable(["age", "color", "joined", "note", "label"], [["1000", "x", null, null, "no"]]));
        Assert.True(Values(other)[0] > 10);                        // a test value does not move the fitted statistics
    }

    [Theory]
    [InlineData(Imputation.Median, 30.0)]
    [InlineData(Imputation.Mode, 20.0)]
    [InlineData(Imputation.Constant, -1.0)]
    public void ImputationUsesTheChosenStatistic(Imputation imputation, double expected)
    {
        var options = new PreprocessingOptions { Imputation = imputation, ImputationConstant = -1, IgnoreColumns = ["color", "joined", "note", "label"] };

        var age = (NumericColumn)PreprocessingPipeline.Fit(Train(), options).Columns.Single();

        Assert.Equal(expected, age.Fill);
    }

    [Fact]
    public void IqrClippingBoundsOutliersByTukeyFencesFromTheTrainingData()
    {
        var rows = Enumerable.Range(1, 8).Select(i => new string?[] { i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).Append(["1000"]).ToArray();
        var pipeline = PreprocessingPipeline.Fit(new RawTable(["x"], rows), new PreprocessingOptions { Outliers = OutlierHandling.IqrClip, Scaling = Scaling.None });
        var x = (NumericColumn)pipeline.Columns.Single();

        Assert.Equal(3 - 1.5 * 4, x.Low);   // Q1 = 3, Q3 = 7 (linear interpolation over 1…8, 1000)
        Assert.Equal(7 + 1.5 * 4, x.High);
        using var clipped = pipeline.Transform(new RawTable(["x"], [["1000"], ["5"]]));
        Assert.Equal([13f, 5f], Values(clipped));
    }

    [Fact]
    public void MinMaxScalingMapsTheTrainingRangeToZeroOne()
    {
        var pipeline = PreprocessingPipeline.Fit(new RawTable(["x"], [["2"], ["4"], ["6"]]), new PreprocessingOptions { Scaling = Scaling.MinMax });

        using var result = pipeline.Transform(new RawTable(["x"], [["2"], ["5"], ["6"]]));

        Assert.Equal([0f, 0.75f, 1f], Values(result));
    }

    [Fact]
    public void CategoriesAreOneHotInSortedOrderAndAnUnseenCategoryIsAllZeros()
    {
        var pipeline = PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { LabelColumn = "label", IgnoreColumns = ["age", "joined", "note"] });

        Assert.Equal(["color=blue", "color=green", "color=red"], pipeline.FeatureNames);
        using var encoded = pipeline.Transform(new RawTable(["color"], [["green"], ["purple"], [null]]));
        Assert.Equal([0f, 1, 0, 0, 0, 0, 0, 0, 1], Values(encoded)); // missing → the training mode, red
    }

    [Fact]
    public void OrdinalEncodingGivesTheSortedIndexAndMinusOneForAnUnseenCategory()
    {
        var pipeline = PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { CategoricalEncoding = CategoricalEncoding.Ordinal, IgnoreColumns = ["age", "joined", "note", "label"] });

        using var encoded = pipeline.Transform(new RawTable(["color"], [["red"], ["blue"], ["pink"]]));

        Assert.Equal([2f, 0, -1], Values(encoded));
    }

    [Fact]
    public void UnderTheErrorPolicyAnUnseenCategoryIsAFormatExceptionNamingTheColumnTheValueAndTheKnownCategories()
    {
        var pipeline = PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { UnknownCategories = UnknownCategoryPolicy.Error, IgnoreColumns = ["age", "joined", "note", "label"] });

        using var known = pipeline.Transform(new Dictionary<string, string?> { ["color"] = "green" });
        var error = Assert.Throws<FormatException>(() => pipeline.Transform(new Dictionary<string, string?> { ["color"] = "purple" }));

        Assert.Equal([0f, 1, 0], Values(known));
        Assert.Contains("Column 'color': 'purple' is not a category seen in training", error.Message);
        Assert.Contains("'blue', 'green', 'red'", error.Message);
        Assert.Contains("UnknownCategories", error.Message);
    }

    [Fact]
    public void TheDefaultIgnorePolicyEncodesAnUnseenCategoryAsAllZerosOrMinusOne()
    {
        Assert.Equal(UnknownCategoryPolicy.Ignore, new PreprocessingOptions().UnknownCategories);
        var oneHot = PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { IgnoreColumns = ["age", "joined", "note", "label"] });
        var ordinal = PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { CategoricalEncoding = CategoricalEncoding.Ordinal, IgnoreColumns = ["age", "joined", "note", "label"] });

        using var a = oneHot.Transform(new RawTable(["color"], [["purple"]]));
        using var b = ordinal.Transform(new RawTable(["color"], [["purple"]]));

        Assert.Equal(UnknownCategoryPolicy.Ignore, ((CategoricalColumn)oneHot.Columns.Single()).UnknownCategories);
        Assert.Equal([0f, 0, 0], Values(a));
        Assert.Equal([-1f], Values(b));
    }

    [Fact]
    public void UnderTheInfrequentPolicyRareAndUnseenCategoriesShareOneExtraBucket()
    {
        var options = new PreprocessingOptions { UnknownCategories = UnknownCategoryPolicy.Infrequent, MinFrequency = 2, IgnoreColumns = ["age", "joined", "note", "label"] };
        var pipeline = PreprocessingPipeline.Fit(Train(), options);   // red ×2, blue ×1, green ×1
        var ordinal = PreprocessingPipeline.Fit(Train(), options with { CategoricalEncoding = CategoricalEncoding.Ordinal });

        using var encoded = pipeline.Transform(new RawTable(["color"], [["red"], ["blue"], ["purple"]]));
        using var indices = ordinal.Transform(new RawTable(["color"], [["red"], ["green"], ["purple"]]));

        Assert.Equal(["color=red", "color=(infrequent)"], pipeline.FeatureNames);
        Assert.Equal([1f, 0, 0, 1, 0, 1], Values(encoded));
        Assert.Equal([0f, 1, 1], Values(indices));
    }

    [Fact]
    public void TheInfrequentPolicyWithTheDefaultMinimumKeepsEveryTrainingCategoryAndBucketsOnlyUnseenOnes()
    {
        var pipeline = PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { UnknownCategories = UnknownCategoryPolicy.Infrequent, IgnoreColumns = ["age", "joined", "note", "label"] });

        using var encoded = pipeline.Transform(new RawTable(["color"], [["blue"], ["purple"]]));

        Assert.Equal(["color=blue", "color=green", "color=red", "color=(infrequent)"], pipeline.FeatureNames);
        Assert.Equal([1f, 0, 0, 0, 0, 0, 0, 1], Values(encoded));
    }

    [Theory]
    [InlineData(UnknownCategoryPolicy.Error)]
    [InlineData(UnknownCategoryPolicy.Infrequent)]
    public void TheUnknownCategoryPolicySurvivesTheJsonRoundTrip(UnknownCategoryPolicy policy)
    {
        var pipeline = PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { UnknownCategories = policy, IgnoreColumns = ["age", "joined", "note", "label"] });

        var restored = PreprocessingPipeline.FromJson(pipeline.ToJson());

        Assert.Contains($"\"unknownCategories\": \"{policy}\"", pipeline.ToJson());
        Assert.Equal(policy, ((CategoricalColumn)restored.Columns.Single()).UnknownCategories);
        Assert.Equal(pipeline.Columns, restored.Columns);
    }

    [Fact]
    public void APipelineSavedWithoutAnUnknownCategoryPolicyLoadsWithTheIgnorePolicy()
    {
        const string saved = """
            {"format": "modelloop.preprocessing/1",
             "columns": [{"type": "categorical", "name": "color", "categories": ["blue", "red"], "encoding": "OneHot", "fill": "red"}]}
            """;

        var pipeline = PreprocessingPipeline.FromJson(saved);
        using var encoded = pipeline.Transform(new Dictionary<string, string?> { ["color"] = "purple" });

        Assert.Equal(UnknownCategoryPolicy.Ignore, ((CategoricalColumn)pipeline.Columns.Single()).UnknownCategories);
        Assert.Equal([0f, 0], Values(encoded));
    }

    [Fact]
    public void TextBecomesCharacterIdsPaddedWithZerosAndUnseenCharactersAreOne()
    {
        var pipeline = PreprocessingPipeline.Fit(new RawTable(["t"], [["ab"], ["ba"]]), new PreprocessingOptions { TextEncoding = TextEncoding.TokenIds, TextLength = 4, Inference = new SchemaInferenceOptions { MaxCategories = 1 } });

        using var encoded = pipeline.Transform(new RawTable(["t"], [["bz"]]));

        Assert.IsType<TextColumn>(pipeline.Columns.Single());
        Assert.Equal([3f, 1, 0, 0], Values(encoded));   // a = 2, b = 3, z unseen
    }

    private static readonly RawTable Reviews = new(["review"], [["Great food, great service"], ["bad food"], ["great view"], [null]]);

    // Three distinct reviews would be categories under the default limit; 1 makes the column text.
    private static readonly SchemaInferenceOptions TextInference = new() { MaxCategories = 1 };

    [Fact]
    public void TextBecomesATfIdfVectorOverTheTrainingWordsByDefault()
    {
        var pipeline = PreprocessingPipeline.Fit(Reviews, new PreprocessingOptions { Inference = TextInference });

        using var encoded = pipeline.Transform(new RawTable(["review"], [["GREAT great food!"], ["unseen words"], [null]]));

        var column = Assert.IsType<BagOfWordsColumn>(pipeline.Columns.Single());
        Assert.Equal(["bad", "food", "great", "service", "view"], column.Vocabulary);
        Assert.Equal(["review:bad", "review:food", "review:great", "review:service", "review:view"], pipeline.FeatureNames);
        // 3 non-missing cells: idf = ln(4 / (1 + df)) + 1; great and food appear in 2 cells each.
        var idf = Math.Log(4.0 / 3) + 1;
        var (great, food) = (2 * idf, 1 * idf);
        var norm = Math.Sqrt(great * great + food * food);
        var values = Values(encoded);
        Assert.Equal([0f, (float)(food / norm), (float)(great / norm), 0, 0], values[..5]);
        Assert.All(values[5..], v => Assert.Equal(0f, v));       // no known word, and a missing cell
        Assert.False(pipeline.HasTokenIds);
        pipeline.CheckFitsDenseInput();
    }

    [Fact]
    public void ABagOfWordsKeepsTheWordsInTheMostCellsAndSurvivesTheJsonRoundTrip()
    {
        var pipeline = PreprocessingPipeline.Fit(Reviews, new PreprocessingOptions { TextVocabularySize = 2, Inference = TextInference });
        var restored = PreprocessingPipeline.FromJson(pipeline.ToJson());
        var test = new RawTable(["review"], [["great food"], ["food"]]);

        using var a = pipeline.Transform(test);
        using var b = restored.Transform(test);

        Assert.Equal(["food", "great"], ((BagOfWordsColumn)pipeline.Columns.Single()).Vocabulary);
        Assert.Equal(pipeline.Columns, restored.Columns);
        Assert.Equal(Values(a), Values(b));
    }

    [Theory]
    [InlineData(TextTokenization.Characters)]
    [InlineData(TextTokenization.Bpe)]
    public void TokenIdsOnlyWhenAskedAndThenTheDenseInputCheckRefusesThemNamingTheColumn(TextTokenization tokenization)
    {
        var table = new RawTable(["price", "review"], [["1", "great food"], ["2", "bad food"], ["3", "great view"]]);

        var pipeline = PreprocessingPipeline.Fit(table, new PreprocessingOptions { TextEncoding = TextEncoding.TokenIds, TextTokenization = tokenization, Inference = TextInference });

        Assert.Equal(["review"], pipeline.TokenIdColumns);
        Assert.True(pipeline.HasTokenIds);
        Assert.True(PreprocessingPipeline.FromJson(pipeline.ToJson()).HasTokenIds);
        var error = Assert.Throws<ArgumentException>(pipeline.CheckFitsDenseInput);
        Assert.Contains("column 'review' is encoded as token ids, which a Dense layer would read as magnitudes; use TextEncoding.BagOfWords or a model whose first layer is Embedding", error.Message);
    }

    [Fact]
    public void OneRawRecordAsADictionaryOrJsonGivesTheSameRowAsTheTable()
    {
        var pipeline = PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { LabelColumn = "label" });
        var record = new Dictionary<string, string?> { ["age"] = "41", ["color"] = "blue", ["joined"] = "2024-01-02", ["note"] = null };
        using var json = JsonDocument.Parse("""{"age": 41, "color": "blue", "joined": "2024-01-02", "note": null, "label": "yes"}""");

        using var fromTable = pipeline.Transform(new RawTable(["age", "color", "joined", "note"], [["41", "blue", "2024-01-02", null]]));
        using var fromRecord = pipeline.Transform(record);
        using var fromJson = pipeline.Transform(json.RootElement);

        Assert.Equal([1L, pipeline.FeatureCount], fromRecord.shape);
        Assert.Equal(Values(fromTable), Values(fromRecord));
        Assert.Equal(Values(fromTable), Values(fromJson));
    }

    [Fact]
    public void ARecordWithAMissingOrUnknownColumnOrAnUnparsableValueIsAnErrorThatNamesTheColumn()
    {
        var pipeline = PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { LabelColumn = "label", IgnoreColumns = ["joined", "note"] });

        var missing = Assert.Throws<FormatException>(() => pipeline.Transform(new Dictionary<string, string?> { ["age"] = "1" }));
        var unknown = Assert.Throws<FormatException>(() => pipeline.Transform(new Dictionary<string, string?> { ["age"] = "1", ["color"] = "red", ["height"] = "2" }));
        var unparsable = Assert.Throws<FormatException>(() => pipeline.Transform(new Dictionary<string, string?> { ["age"] = "old", ["color"] = "red" }));

        Assert.Contains("lacks column 'color'", missing.Message);
        Assert.Contains("unknown column 'height'", unknown.Message);
        Assert.Contains("Column 'age': 'old' is not a number", unparsable.Message);
    }

    [Fact]
    public void LabelsBecomeClassIndicesInSortedOrderAndAnUnseenClassIsAnError()
    {
        var pipeline = PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { LabelColumn = "label" });

        using var labels = pipeline.TransformLabels(Train());

        Assert.Equal(["no", "yes"], pipeline.Label!.Classes);
        Assert.Equal([1L, 0, 1, 0], labels.data<long>().ToArray());
        var bad = new RawTable(Train().Columns, [["1", "red", null, null, "maybe"]]);
        Assert.Contains("class 'maybe' was not in the training data", Assert.Throws<FormatException>(() => pipeline.TransformLabels(bad)).Message);
    }

    [Fact]
    public void TheShippedDiabetesTableBecomesARegressionDatasetWithStandardizedFeatures()
    {
        var table = TabularReader.Read(ShippedData.Path("diabetes.csv"));

        var pipeline = PreprocessingPipeline.Fit(table, new PreprocessingOptions { LabelColumn = "target" });
        using var data = pipeline.ToDataset(table);

        Assert.Equal(LabelKind.Value, pipeline.Label!.Kind);
        Assert.Equal([table.Count, 1L], data.Labels.shape);
        Assert.Equal([(long)table.Count, 10], data.Features.shape);
        using var mean = data.Features.mean([0]).abs().max();
        Assert.True(mean.item<float>() < 1e-4);
    }

    [Fact]
    public void ImageNormalizationIsFittedPerChannelAndSurvivesTheJsonRoundTrip()
    {
        using var images = tensor(new byte[] { 0, 255, 0, 255, 10, 10, 30, 30 }, [2, 2, 1, 2]);

        var pipeline = PreprocessingPipeline.FitImages(images);
        var restored = PreprocessingPipeline.FromJson(pipeline.ToJson());
        using var a = pipeline.TransformImages(images);
        using var b = restored.TransformImages(images);

        Assert.Equal(Values(a), Values(b));
        using var channelMeans = a.mean([0, 2, 3]);
        Assert.All(Values(channelMeans), m => Assert.Equal(0, m, 5));
    }

    [Fact]
    public void JsonFromAnotherFormatIsRejectedWithWhatWasExpected()
    {
        var error = Assert.Throws<FormatException>(() => PreprocessingPipeline.FromJson("""{"format": "other/9"}"""));

        Assert.Contains(PreprocessingPipeline.FormatVersion, error.Message);
    }

    [Fact]
    public void ConcurrentRecordTransformsGiveTheSameRowsAsOneThread()
    {
        var pipeline = PreprocessingPipeline.FromJson(PreprocessingPipeline.Fit(Train(), new PreprocessingOptions { LabelColumn = "label" }).ToJson());
        var records = Enumerable.Range(0, 200).Select(i => new Dictionary<string, string?>
        {
            ["age"] = (i % 70).ToString(System.Globalization.CultureInfo.InvariantCulture), ["color"] = i % 2 == 0 ? "red" : "green",
            ["joined"] = "2024-01-02", ["note"] = i % 3 == 0 ? null : $"n{i}",
        }).ToArray();
        var expected = records.Select(r => { using var t = pipeline.Transform(r); return Values(t); }).ToArray();

        var actual = new float[records.Length][];
        Parallel.For(0, records.Length, i => { using var t = pipeline.Transform(records[i]); actual[i] = Values(t); });

        Assert.Equal(expected, actual);
        Assert.DoesNotContain("\"width\"", pipeline.ToJson());
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using ModelLoop.Evaluation;
using ModelLoop.Evaluation.Report;
using ModelLoop.Tests.Training;

namespace ModelLoop.Tests.Evaluation;

public sealed class ReportWriterTests
{
    internal static ReportFiles WriteImageReport(string folder)
    {
        using var train = EvaluationFixtures.Quadrants(300);
        using var test = EvaluationFixtures.Quadrants(200, seed: 9);
        using var model = new ModelLoop.Modeling.Sequential(1, 8, 8) { new ModelLoop.Modeling.Layers.Flatten(), new ModelLoop.Modeling.Layers.Dense(3) };
        TrainingFixtures.BuildSeeded(model, 5);
        model.Compile(ModelLoop.Training.OptimizerOptions.Adam(0.02), ModelLoop.Training.Loss.CrossEntropy(), ["accuracy"]);
        var history = model.Fit(train, TrainingFixtures.Options(epochs: 3), validation: test);
        var result = Evaluator.Evaluate(model, test, new EvaluationOptions { ClassNames = EvaluationFixtures.QuadrantNames, WrongExamples = 8 });
        return ReportWriter.Write(result, folder, new ReportContext { Model = "quadrants-mlp", Data = "generated", History = EvaluationFixtures.History(history) });
    }

    [Fact]
    public void AClassificationReportEmbedsEveryPlotAsAPngDataUriAndTheGallery()
    {
        using var folder = new TempFolder();

        var files = WriteImageReport(folder.Path);

        Assert.Equal(["training-loss", "training-metrics", "confusion-matrix", "roc", "precision-recall", "per-class", "calibration"], files.Plots);
        var html = File.ReadAllText(files.Html);
        var images = Regex.Matches(html, "<img class=\"(plot|thumbnail)\"[^>]*src=\"data:image/png;base64,([^\"]+)\"");
        Assert.Equal(files.Plots.Count, images.Count(m => m.Groups[1].Value == "plot"));
        Assert.InRange(images.Count(m => m.Groups[1].Value == "thumbnail"), 1, 8);
        foreach (Match image in images)
        {
            var png = Convert.FromBase64String(image.Groups[2].Value);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            var width = (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]; // IHDR width
            Assert.True(width >= 100, $"image width {width}");
        }
        var thumbnails = images.Count(m => m.Groups[1].Value == "thumbnail");
        Assert.Equal(2 * Math.Min(6, thumbnails), Regex.Count(html, "<img class=\"attribution\"[^>]*src=\"data:image/png;base64,"));
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal); // self-contained
        Assert.Contains("bottom", html, StringComparison.Ordinal);          // class names in tables
    }

    [Fact]
    public void TheJsonSummaryHoldsTheMetricsPerClassScoresAndConfusionMatrix()
    {
        using var folder = new TempFolder();

        var files = WriteImageReport(folder.Path);

        using var json = JsonDocument.Parse(File.ReadAllText(files.Json));
        var summary = json.RootElement.GetProperty("summary");
        Assert.Equal("Classification", summary.GetProperty("task").GetString());
        Assert.Equal(200, summary.GetProperty("samples").GetInt64());
        var accuracy = summary.GetProperty("metrics").GetProperty("accuracy").GetDouble();
        Assert.InRange(accuracy, 0.5, 1.0);
        Assert.Equal(3, summary.GetProperty("perClass").GetArrayLength());
        Assert.Equal(200, summary.GetProperty("confusionMatrix").EnumerateArray().Sum(r => r.EnumerateArray().Sum(v => v.GetInt64())));
        Assert.Equal("quadrants-mlp", json.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void ARegressionReportHasTheScatterAndResidualPlots()
    {
        using var folder = new TempFolder();
        using var generator = new TorchSharp.torch.Generator().manual_seed(2);
        var x = TorchSharp.torch.randn([64, 3], generator: generator);
        using var data = new ModelLoop.Data.TensorDataset(x, x.sum(1, keepdim: true));
        using var model = new ModelLoop.Modeling.Sequential(3) { new ModelLoop.Modeling.Layers.Dense(1) };
        TrainingFixtures.BuildSeeded(model, 1);

        var files = ReportWriter.Write(Evaluator.Evaluate(model, data), folder.Path);

        Assert.Equal(["predicted-vs-true", "residuals", "feature-importance"], files.Plots);
        using var json = JsonDocument.Parse(File.ReadAllText(files.Json));
        Assert.True(json.RootElement.GetProperty("summary").GetProperty("metrics").TryGetProperty("r2", out _));
    }
}

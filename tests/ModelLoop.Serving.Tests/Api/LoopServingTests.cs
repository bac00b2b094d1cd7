using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ModelLoop.Contracts;
using ModelLoop.Loop;
using ModelLoop.Training;

namespace ModelLoop.Serving.Tests.Api;

/// <summary>The loop's promise end to end: what `train` saves, `serve` answers exactly as `eval` scores it.</summary>
public sealed class LoopServingTests
{
    /// <summary>
    /// 360 rows: a number with missing cells, a categorical colour, a free-text note, a date, and a yes/no label that
    /// follows the colour, the note's words and the number.
    /// </summary>
    private static string WriteCsv(string folder)
    {
        var random = new Random(8);
        var colours = new[] { "red", "green", "blue" };
        var good = new[] { "great", "fine", "smooth" };
        var bad = new[] { "broken", "late", "noisy" };
        var lines = new List<string> { "x,colour,note,day,label" };
        for (var i = 0; i < 360; i++)
        {
            var x = random.NextDouble() * 2;
            var colour = colours[random.Next(3)];
            var positive = random.NextDouble() < 0.5;
            var words = positive ? good : bad;
            var note = $"{words[random.Next(3)]} and {words[random.Next(3)]} delivery of order {random.Next(100_000)}";
            var day = new DateOnly(2024, 1, 1).AddDays(random.Next(365)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var cell = i % 9 == 0 ? "" : x.ToString("F3", CultureInfo.InvariantCulture);
            var label = (positive && colour != "red") || x > 1.7 ? "yes" : "no";
            lines.Add($"{cell},{colour},\"{note}\",{day},{label}");
        }
        var path = Path.Combine(folder, "orders.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public async Task ACsvModelWithCategoricalTextAndDateColumnsIsServedFromItsRunFolderAsEvalScoresIt()
    {
        using var server = new ServerHost();
        var config = new TrainingConfig
        {
            Model = new ModelConfig { Zoo = "mlp", Hidden = [16] },
            Data = new DataConfig { Source = WriteCsv(server.ModelsPath), Label = "label", SplitSeed = 3 },
            Optimizer = new OptimizerConfig { LearningRate = 0.01 },
            Epochs = 12,
            BatchSize = 16,
            Seed = 4,
        };
        var run = TrainingJob.Run(config, new TrainingJobOptions { OutputDirectory = Path.Combine(server.ModelsPath, "orders"), Track = false, Progress = ProgressMode.Silent });
        using (var package = ModelLoop.Artifacts.ModelPackage.Load(run.PackagePath))
        {
            // The pipeline really holds each kind of column the server must apply.
            var columns = package.Pipeline!.Columns;
            Assert.Contains(columns, c => c is ModelLoop.Data.Preprocessing.CategoricalColumn { Name: "colour" });
            Assert.Contains(columns, c => c is ModelLoop.Data.Preprocessing.BagOfWordsColumn { Name: "note" });
            Assert.Contains(columns, c => c is ModelLoop.Data.Preprocessing.NumericColumn { Name: "day", IsDate: true });
        }
        var evaluation = EvaluationJob.Run(new EvaluationRequest { Model = run.RunDirectory, WrongExamples = 0, OutputDirectory = Path.Combine(run.RunDirectory, "eval") });
        using var data = DataSource.Load(config.Data, config.Task);
        var rows = data.TestRows!;
        var records = new JsonArray(rows.Rows.Select(row => (JsonNode)new JsonObject(rows.Columns.Select((column, c) => (column, c))
            .Where(p => p.column != "label")
            .Select(p => KeyValuePair.Create(p.column, row[p.c] is { Length: > 0 } cell ? JsonValue.Create(cell) : (JsonNode?)null)))).ToArray());
        using var client = server.Client();

        var response = await client.PostAsJsonAsync("/v1/models/orders/predict", new JsonObject { ["records"] = records });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var predictions = (await response.Content.ReadFromJsonAsync<PredictResponse>())!.Predictions;
        var probabilities = evaluation.Result.Probabilities!;
        Assert.Equal(rows.Count, predictions.Count);
        Assert.Equal(rows.Count, probabilities.GetLength(0));
        var classes = new[] { "no", "yes" };
        for (var i = 0; i < rows.Count; i++)
        {
            for (var c = 0; c < classes.Length; c++)
                Assert.Equal(probabilities[i, c], predictions[i].Probabilities![classes[c]], 4);
            Assert.Equal(probabilities[i, 1] > probabilities[i, 0] ? "yes" : "no", predictions[i].Label);
        }
        Assert.True(evaluation.Result.Summary.Metrics["accuracy"] > 0.7, $"accuracy {evaluation.Result.Summary.Metrics["accuracy"]}");
    }
}

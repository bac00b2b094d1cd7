using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Artifacts;
using ModelLoop.Registry;

namespace ModelLoop.Bench;

/// <summary>
/// The fixture of <c>serving --model tabular-raw</c>: a generated table shaped like real tabular data (24 numeric
/// columns, 6 categorical ones as strings, 5% missing cells), its fitted pipeline, a 2-layer classifier saved as
/// an artifact with that pipeline and registered as "production" in a registry under the bench's folder, and
/// request bodies holding one raw record each — so the load runs through the registry catalog and the
/// server-side pipeline.
/// </summary>
internal static class ServingRawRecords
{
    public sealed record Fixture(string RegistryHome, string[] Bodies, int Columns, int Features, double EncodeMicroseconds);

    public static Fixture Prepare(string folder)
    {
        var random = new Random(7);
        string[] levels = ["north", "south", "east", "west", "centre"];
        var columns = Enumerable.Range(0, 24).Select(i => $"x{i}").Concat(Enumerable.Range(0, 6).Select(i => $"c{i}")).Append("label").ToArray();
        var rows = Enumerable.Range(0, 2000).Select(_ => columns.Select((c, i) =>
            c == "label" ? random.Next(2).ToString(CultureInfo.InvariantCulture)
            : random.NextDouble() < 0.05 ? null
            : i < 24 ? (random.NextDouble() * 100).ToString("F3", CultureInfo.InvariantCulture)
            : levels[random.Next(levels.Length)]).ToArray()).ToArray();
        var table = new RawTable(columns, rows);
        var pipeline = PreprocessingPipeline.Fit(table, new PreprocessingOptions { LabelColumn = "label" });
        using var model = new Sequential(pipeline.FeatureCount) { new Dense(64, Activation.Relu), new Dense(2) };
        var artifact = Path.Combine(folder, "tabular-artifact");
        ModelArtifact.Save(model, artifact, new ArtifactMetadata { Preprocessing = JsonNode.Parse(pipeline.ToJson()) });
        var home = Path.Combine(folder, "registry");
        new ModelRegistry(home).Register(ServingLoad.ModelRoute, artifact, new RegisterOptions { Aliases = ["production"] });

        var bodies = rows.Take(64).Select(row => JsonSerializer.Serialize(new
        {
            record = columns.Select((c, i) => (c, i)).Where(p => p.c != "label").ToDictionary(p => p.c, p => Cell(row[p.i])),
        })).ToArray();
        return new Fixture(home, bodies, columns.Length - 1, pipeline.FeatureCount, EncodeMicroseconds(pipeline, bodies));
    }

    // A number when the cell reads as one (as a client would send it), else the string; null when missing.
    private static object? Cell(string? cell) =>
        cell is null ? null : double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : cell;

    // What the server does per record besides the forward: the pipeline's one-record transform (median of 5 passes over the bodies).
    private static double EncodeMicroseconds(PreprocessingPipeline pipeline, string[] bodies)
    {
        var records = bodies.Select(b => JsonDocument.Parse(b).RootElement.GetProperty("record").Clone()).ToArray();
        var times = new List<double>();
        for (var pass = 0; pass < 7; pass++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var record in records)
            {
                using var features = pipeline.Transform(record);
                _ = features.data<float>().ToArray();
            }
            if (pass >= 2)
                times.Add(clock.Elapsed.TotalMicroseconds / records.Length);
        }
        return times.Order().ElementAt(times.Count / 2);
    }
}

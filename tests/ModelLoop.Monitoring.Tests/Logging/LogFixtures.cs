using ModelLoop.Artifacts;
using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Monitoring.Tests.Logging;

/// <summary>A prediction log in a temporary folder and records to put in it.</summary>
internal sealed class LogFixtures : IDisposable
{
    public static readonly LoggedModelInfo Iris = new(ModelTask.Classification, 3, 3, ["setosa", "versicolor", "virginica"], null);
    public static readonly LoggedModelInfo Price = new(ModelTask.Regression, 0, 1, null, ["price"]);
    public static readonly DateTimeOffset T0 = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public string Folder { get; } = Directory.CreateTempSubdirectory("modelloop-log-").FullName;

    public PredictionLog Open() => PredictionLog.InFolder(Folder);

    /// <summary>A request of iris at <paramref name="minutes"/> after <see cref="T0"/>, one item per record, each predicting <paramref name="predicted"/>.</summary>
    public static PredictionRecord IrisRequest(string id, int minutes, string tenant = "t1", int predicted = 0, InputStorage storage = InputStorage.Raw, int items = 1, string version = "1") => new()
    {
        RequestId = id,
        TenantId = tenant,
        Model = "iris",
        Version = version,
        Info = Iris,
        TimeUtc = T0.AddMinutes(minutes),
        LatencyMs = 1.5,
        Storage = storage,
        Format = InputFormat.Record,
        Items = Enumerable.Range(0, items).Select(i =>
        {
            var json = $$"""{"sepal_length":{{5 + i}},"species_note":"n{{minutes}}"}""";
            var outputs = new float[3];
            outputs[predicted] = 2f;
            return new ItemRecord(outputs)
            {
                InputJson = storage == InputStorage.Raw ? json : null,
                InputSha256 = storage == InputStorage.None ? null : InputHash.Of(json),
                Monitored = new MonitoredItem { PredictedClass = predicted, Confidence = 0.8, Numeric = new Dictionary<string, double?> { ["sepal_length"] = 5 + i } },
            };
        }).ToArray(),
    };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the WAL a moment longer; the OS cleans temp folders.
        }
    }
}

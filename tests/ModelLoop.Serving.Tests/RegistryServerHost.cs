using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Modeling;
using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Catalog;
using ModelLoop.Artifacts;
using ModelLoop.Registry;

namespace ModelLoop.Serving.Tests;

/// <summary>
/// A model registry in a temporary home, and a server (WebApplicationFactory) serving it through
/// Serving:RegistryHome — or through a <see cref="RegistryCatalog"/> the test builds (e.g. with a key).
/// The server is started on the first <see cref="Client"/>, so models can be registered before.
/// </summary>
internal sealed class RegistryServerHost : IDisposable
{
    public const string AdminKey = "test-admin-key-0123456789-abcdefghij";
    private readonly TestModels.TempFolder _folder = new();
    private readonly Lazy<WebApplicationFactory<Program>> _factory;
    private readonly List<IDisposable> _owned = [];

    /// <param name="settings">Extra Serving:… settings.</param>
    /// <param name="catalog">Builds the catalog from the registry; null: the server's own from Serving:RegistryHome.</param>
    public RegistryServerHost(Dictionary<string, string?>? settings = null, Func<ModelRegistry, IModelCatalog>? catalog = null)
    {
        Home = Path.Combine(_folder.Path, "home");
        Registry = new ModelRegistry(Home);
        var all = new Dictionary<string, string?>
        {
            ["Serving:RegistryHome"] = Home,
            ["Serving:DatabasePath"] = Path.Combine(_folder.Path, "serving.db"),
            ["Serving:AdminKey"] = AdminKey,
            ["Serving:ReloadInterval"] = "01:00:00", // tests that need the poller set it shorter
            ["Serving:TorchThreads"] = "1",
        };
        foreach (var (key, value) in settings ?? [])
            all[key] = value;
        _factory = new Lazy<WebApplicationFactory<Program>>(() => new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in all)
                builder.UseSetting(key, value);
            if (catalog is not null)
                builder.ConfigureTestServices(services => services.AddSingleton(catalog(Registry)));
        }));
    }

    public string Home { get; }
    public ModelRegistry Registry { get; }
    internal ModelHost Host => _factory.Value.Services.GetRequiredService<ModelHost>();

    /// <summary>The running server's services (starts it).</summary>
    internal IServiceProvider Services => _factory.Value.Services;

    /// <summary>A folder of the host's own for test files.</summary>
    public string Folder => _folder.Path;

    /// <summary>Saves <paramref name="model"/> as an artifact (with <paramref name="pipeline"/> when given) and registers it as the next version of <paramref name="name"/>.</summary>
    public ModelVersion Register(string name, Model model, PreprocessingPipeline? pipeline = null, ArtifactEncryptionKey? key = null, params string[] aliases)
    {
        Directory.CreateDirectory(Path.Combine(_folder.Path, "artifacts"));
        var artifact = Path.Combine(_folder.Path, "artifacts", Guid.NewGuid().ToString("N"));
        ModelArtifact.Save(model, artifact, new ArtifactMetadata { Preprocessing = pipeline is null ? null : JsonNode.Parse(pipeline.ToJson()) },
            new ArtifactSaveOptions { EncryptionKey = key });
        return Registry.Register(name, artifact, new RegisterOptions { Aliases = aliases, EncryptionKey = key });
    }

    /// <summary>Keeps <paramref name="disposable"/> (e.g. a reference model) alive until the host is disposed.</summary>
    public T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public HttpClient Client(string? key = AdminKey)
    {
        var client = _factory.Value.CreateClient();
        if (key is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>
    /// A small table with what real rows have: a numeric column, a categorical one (strings) and a numeric one
    /// with missing cells, plus a 2-class label — the pipeline is fitted on it as the data stage would.
    /// </summary>
    public static (RawTable Table, PreprocessingPipeline Pipeline) Patients()
    {
        string[] colors = ["red", "green", "blue"];
        var rows = Enumerable.Range(0, 40).Select(i => new string?[]
        {
            (20 + i % 37).ToString(System.Globalization.CultureInfo.InvariantCulture),
            colors[i % 3],
            i % 5 == 0 ? null : (1.5 + i % 7 * 0.25).ToString(System.Globalization.CultureInfo.InvariantCulture),
            (i % 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).ToArray();
        var table = new RawTable(["age", "color", "dose", "outcome"], rows);
        return (table, PreprocessingPipeline.Fit(table, new PreprocessingOptions { LabelColumn = "outcome" }));
    }

    public void Dispose()
    {
        if (_factory.IsValueCreated)
            _factory.Value.Dispose();
        foreach (var disposable in _owned)
            disposable.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

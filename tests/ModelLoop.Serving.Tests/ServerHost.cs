using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Contracts;
using ModelLoop.Serving.Batching;

namespace ModelLoop.Serving.Tests;

/// <summary>
/// A server through WebApplicationFactory over a temporary models folder of run folders holding "iris" (versions 1
/// and 2, production → 1, feature and class names) and "digits" (a 1×8×8 CNN), with its own database.
/// </summary>
internal sealed class ServerHost : IDisposable
{
    public const string AdminKey = "test-admin-key-0123456789-abcdefghij";
    private readonly TestModels.TempFolder _folder = new();
    private readonly WebApplicationFactory<Program> _factory;

    /// <param name="services">Registers services over the server's own (e.g. another <see cref="Serving.Catalog.IModelCatalog"/>); defaults to none.</param>
    public ServerHost(Dictionary<string, string?>? settings = null, string? databasePath = null, Action<IServiceCollection>? services = null)
    {
        ModelsPath = Path.Combine(_folder.Path, "models");
        Iris1 = TestModels.Tabular(1);
        Iris2 = TestModels.Tabular(2);
        TestModels.WriteRun(Path.Combine(ModelsPath, "iris", "1"), Iris1, IrisFeatures, IrisClasses);
        TestModels.WriteRun(Path.Combine(ModelsPath, "iris", "2"), Iris2, IrisFeatures, IrisClasses);
        Digits = TestModels.Image(3);
        TestModels.WriteRun(Path.Combine(ModelsPath, "digits"), Digits);
        Catalog = new Serving.Catalog.RunFolderCatalog(ModelsPath);
        Catalog.SetAlias("iris", "production", "1");
        DatabasePath = databasePath ?? Path.Combine(_folder.Path, "serving.db");
        var all = new Dictionary<string, string?>
        {
            ["Serving:ModelsPath"] = ModelsPath,
            ["Serving:DatabasePath"] = DatabasePath,
            ["Serving:AdminKey"] = AdminKey,
            ["Serving:ReloadInterval"] = "01:00:00", // tests call Refresh themselves
            ["Serving:TorchThreads"] = "1",
        };
        foreach (var (key, value) in settings ?? [])
            all[key] = value;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in all)
                builder.UseSetting(key, value);
            if (services is not null)
                builder.ConfigureServices(services);
        });
    }

    public static readonly string[] IrisFeatures = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
    public static readonly string[] IrisClasses = ["setosa", "versicolor", "virginica"];

    public string ModelsPath { get; }
    public string DatabasePath { get; }
    public Serving.Catalog.RunFolderCatalog Catalog { get; }
    public Modeling.Sequential Iris1 { get; }
    public Modeling.Sequential Iris2 { get; }
    public Modeling.Sequential Digits { get; }

    public IServiceProvider Services => _factory.Services;
    internal ModelHost Host => Services.GetRequiredService<ModelHost>();

    /// <summary>A client sending <paramref name="key"/> (the admin key by default; null for none).</summary>
    public HttpClient Client(string? key = AdminKey)
    {
        var client = _factory.CreateClient();
        if (key is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Creates a tenant through the admin API and returns its key.</summary>
    public async Task<CreatedApiKey> CreateTenant(string name, string[] models, int? requestsPerMinute = null, long? dailyQuota = null)
    {
        using var admin = Client();
        var response = await admin.PostAsJsonAsync("/v1/admin/tenants", new CreateTenantRequest(name, models, requestsPerMinute, dailyQuota));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedApiKey>())!;
    }

    public void Dispose()
    {
        _factory.Dispose();
        Iris1.Dispose();
        Iris2.Dispose();
        Digits.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

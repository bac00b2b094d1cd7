using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using ModelLoop.Artifacts;
using ModelLoop.Contracts;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;

namespace ModelLoop.Client.Tests;

/// <summary>The SDK against a real server (WebApplicationFactory, prediction log on) serving a tiny Dense model.</summary>
public sealed class EndToEndTests : IDisposable
{
    private const string AdminKey = "client-tests-admin-0123456789-abcdefgh";
    private readonly string _folder = Directory.CreateTempSubdirectory("modelloop-client-").FullName;
    private readonly WebApplicationFactory<Serving.Program> _factory;

    public EndToEndTests()
    {
        TorchSharp.torch.random.manual_seed(11);
        using var model = new Sequential(4) { new Dense(6, Activation.Relu), new Dense(3) };
        ModelArtifact.Save(model, Path.Combine(_folder, "models", "iris", "artifact"), new ArtifactMetadata
        {
            Input = new TensorSchema([4], "F32", ["a", "b", "c", "d"]),
            Output = new TensorSchema([3], "F32", ["setosa", "versicolor", "virginica"]),
        });
        _factory = new WebApplicationFactory<Serving.Program>().WithWebHostBuilder(builder => builder
            .UseSetting("Serving:ModelsPath", Path.Combine(_folder, "models"))
            .UseSetting("Serving:DatabasePath", Path.Combine(_folder, "serving.db"))
            .UseSetting("Serving:AdminKey", AdminKey)
            .UseSetting("Serving:TorchThreads", "1")
            .UseSetting("Serving:PredictionLog:Enabled", "true"));
    }

    private ModelLoopClient Client(string key) => new(_factory.CreateClient(), key);

    [Fact]
    public async Task TheAdminListsTenantsWithTheGrantsAndLimitsTheyWereCreatedWith()
    {
        using var admin = Client(AdminKey);
        var created = await admin.CreateTenantAsync("acme", ["iris"], requestsPerMinute: 120, dailyRequestQuota: 5000);

        var tenant = Assert.Single(await admin.ListTenantsAsync());

        Assert.Equal(new TenantSummary(created.TenantId, "acme", tenant.Models, 120, 5000), tenant);
        Assert.Equal(["iris"], tenant.Models);
    }

    [Fact]
    public async Task ItemLimitsSetThroughTheSdkAreListedAndADailyItemQuotaRefusesTheItemsBeyondIt()
    {
        using var admin = Client(AdminKey);
        var created = await admin.CreateTenantAsync("acme", ["iris"], itemsPerMinute: 1000, dailyItemQuota: 3);
        using var acme = Client(created.Key);

        var listed = Assert.Single(await admin.ListTenantsAsync());
        await acme.PredictAsync("iris", [[1f, 2f, 3f, 4f], [0f, 0f, 0f, 0f]]);
        var e = await Assert.ThrowsAsync<ModelLoopApiException>(() => acme.PredictAsync("iris", [[1f, 2f, 3f, 4f], [0f, 0f, 0f, 0f]]));
        await admin.UpdateTenantAsync(created.TenantId, ["iris"], requestsPerMinute: 60, dailyItemQuota: 10);
        var afterRaise = await acme.PredictAsync("iris", [[1f, 2f, 3f, 4f], [0f, 0f, 0f, 0f]]);

        Assert.Equal((1000L, 3L), (listed.ItemsPerMinute, listed.DailyItemQuota));
        Assert.Equal(HttpStatusCode.TooManyRequests, e.StatusCode);
        Assert.Equal(2, afterRaise.Predictions.Count);
    }

    [Fact]
    public async Task ATenantCreatedThroughTheSdkPredictsReadsMetadataAndSeesItsUsage()
    {
        using var admin = Client(AdminKey);
        var key = await admin.CreateTenantAsync("acme", ["iris"]);
        using var acme = Client(key.Key);

        var models = await acme.ListModelsAsync();
        var metadata = await acme.GetModelAsync("iris");
        var byArray = await acme.PredictAsync("iris", [[1f, 2f, 3f, 4f], [0f, 0f, 0f, 0f]]);
        var byRecord = await acme.PredictRecordsAsync("iris", [new Dictionary<string, double> { ["a"] = 1, ["b"] = 2, ["c"] = 3, ["d"] = 4 }], returnOutputs: true);
        var usage = await acme.GetUsageAsync();
        var csv = await acme.ExportUsageCsvAsync();

        Assert.Equal("iris", Assert.Single(models).Name);
        Assert.Equal([4L], metadata.Input.Shape);
        Assert.Equal(ModelInputKind.Float, metadata.Input.Kind);
        Assert.Equal(["setosa", "versicolor", "virginica"], metadata.Labels);
        Assert.Equal(2, byArray.Predictions.Count);
        var first = byArray.Predictions[0];
        Assert.Null(first.Outputs);
        Assert.Equal(metadata.Labels[first.Class!.Value], first.Label);
        Assert.Equal(first.Label, byRecord.Predictions[0].Label);
        Assert.Equal(3, byRecord.Predictions[0].Outputs!.Count);
        foreach (var label in metadata.Labels)
            Assert.Equal(first.Probabilities![label], byRecord.Predictions[0].Probabilities![label], 4); // batch of 2 vs 1: float rounding may differ
        var row = Assert.Single(usage);
        Assert.Equal((key.TenantId, 2L, 3L), (row.TenantId, row.Requests, row.Items));
        Assert.Contains(key.TenantId, csv);
    }

    [Fact]
    public async Task FeedbackOnAPredictionIsStoredOnceAndAnotherKeysRequestIdIsNotFound()
    {
        using var admin = Client(AdminKey);
        using var acme = Client((await admin.CreateTenantAsync("acme", ["iris"])).Key);
        using var rival = Client((await admin.CreateTenantAsync("rival", ["iris"])).Key);
        var predicted = await acme.PredictAsync("iris", [[1f, 2f, 3f, 4f], [0f, 0f, 0f, 0f]]);

        var created = await acme.SendFeedbackAsync("iris", FeedbackRequest.WithLabel(predicted.RequestId, "virginica", item: 1));
        var retried = await acme.SendFeedbackAsync("iris", FeedbackRequest.WithClass(predicted.RequestId, 2, item: 1));
        var flagged = await acme.SendFeedbackAsync("iris", new FeedbackRequest(predicted.RequestId) { Item = 0, Correct = false, Score = 0.5 });
        var foreign = await Assert.ThrowsAsync<ModelLoopApiException>(() => rival.SendFeedbackAsync("iris", FeedbackRequest.WithLabel(predicted.RequestId, "setosa", item: 0)));
        var badLabel = await Assert.ThrowsAsync<ModelLoopApiException>(() => acme.SendFeedbackAsync("iris", FeedbackRequest.WithLabel(predicted.RequestId, "tulip", item: 0)));

        Assert.Matches("^[0-9a-f]{32}$", predicted.RequestId);
        Assert.Equal((FeedbackStatus.Created, "virginica", 2), (created.Status, created.Label, created.Class!.Value));
        Assert.Equal(FeedbackStatus.Unchanged, retried.Status);
        Assert.Equal((FeedbackStatus.Created, false, 0.5), (flagged.Status, flagged.Correct!.Value, flagged.Score!.Value));
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badLabel.StatusCode);
        Assert.Contains("\"label\" is \"tulip\"", badLabel.Detail);
    }

    [Fact]
    public async Task ARevokedKeyFailsWithTheServersReason()
    {
        using var admin = Client(AdminKey);
        var key = await admin.CreateTenantAsync("acme", ["*"]);
        using var acme = Client(key.Key);
        await acme.ListModelsAsync();

        await admin.RevokeKeyAsync(key.KeyId);
        var e = await Assert.ThrowsAsync<ModelLoopApiException>(() => acme.ListModelsAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Contains("revoked", e.Detail);
    }

    [Fact]
    public async Task KeysRotateAndGrantsChangeThroughTheSdk()
    {
        using var admin = Client(AdminKey);
        var first = await admin.CreateTenantAsync("acme", ["iris"]);
        var second = await admin.AddKeyAsync(first.TenantId);
        await admin.RevokeKeyAsync(first.KeyId);
        using var rotated = Client(second.Key);
        Assert.Equal("iris", Assert.Single(await rotated.ListModelsAsync()).Name);

        await admin.UpdateTenantAsync(first.TenantId, ["other-model"], requestsPerMinute: 10);
        var e = await Assert.ThrowsAsync<ModelLoopApiException>(() => rotated.PredictAsync("iris", [[1f, 2f, 3f, 4f]]));

        Assert.Empty(await rotated.ListModelsAsync());
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task WrongInputSurfacesTheServersExplanation()
    {
        using var admin = Client(AdminKey);

        var e = await Assert.ThrowsAsync<ModelLoopApiException>(() => admin.PredictAsync("iris", [[1f, 2f]]));

        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Contains("takes 4 per item", e.Detail);
    }

    [Fact]
    public async Task PricesAndPlansSetThroughTheSdkBillATenantWhoReadsOnlyItsOwnInvoice()
    {
        using var admin = Client(AdminKey);
        var acme = await admin.CreateTenantAsync("acme", ["iris"]);
        var other = await admin.CreateTenantAsync("other", ["iris"]);
        using var acmeClient = Client(acme.Key);
        // The current month: prices and plans may take effect from its first day on (ended months are frozen).
        var now = DateTime.UtcNow;
        var month = $"{now:yyyy-MM}";
        var firstDay = new DateOnly(now.Year, now.Month, 1);
        await admin.SetPriceAsync(new ModelPrice("iris", firstDay, "EUR", PerThousandItems: 250m));
        await admin.SetPlanAsync(new BillingPlan("starter", firstDay, "EUR", MonthlyFee: 10m, IncludedItems: 1));
        await admin.AssignPlanAsync(new PlanAssignment(acme.TenantId, "starter", firstDay));
        await acmeClient.PredictAsync("iris", [[1f, 2f, 3f, 4f], [0f, 0f, 0f, 0f], [1f, 1f, 1f, 1f]]);

        var invoice = await acmeClient.GetInvoiceAsync(month);
        var forbidden = await Assert.ThrowsAsync<ModelLoopApiException>(() => acmeClient.GetInvoiceAsync(month, other.TenantId));
        var all = await admin.ListInvoicesAsync(month);
        var csv = await admin.ExportInvoicesCsvAsync(month, acme.TenantId, asAdmin: true);

        var items = Assert.Single(invoice.Lines, l => l.Unit == BilledUnit.Items);
        Assert.Equal((3L, 1L, 2L, 0.50m), (items.Quantity, items.Included, items.Billable, items.Amount));
        Assert.Equal(10.50m, invoice.Total);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(2, all.Count);
        Assert.Equal([new ModelPrice("iris", firstDay, "EUR", PerThousandItems: 250m)], await admin.ListPricesAsync("iris"));
        Assert.Contains(",total,", csv);
    }

    public void Dispose()
    {
        _factory.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp folders.
        }
    }
}

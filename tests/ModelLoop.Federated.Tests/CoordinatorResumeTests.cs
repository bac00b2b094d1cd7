using ModelLoop.Federated.Grains;
using ModelLoop.Modeling;

namespace ModelLoop.Federated.Tests;

public sealed class CoordinatorResumeTests
{
    [Fact]
    public async Task A_crashed_coordinator_resumes_the_job_from_its_last_finished_round()
    {
        var folder = Directory.CreateTempSubdirectory("modelloop-fed-resume-").FullName;
        var store = Path.Combine(folder, "jobs.db");
        var shape = new Shape(TestData.Features);
        float[] afterTwo;
        try
        {
            var first = await ClusterFixture.Start(store, silos: 1);
            var owners = new List<DataOwner>();
            await FederatedJob.CreateAsync(first.Client, "job", TestData.Config(), shape, TestData.Classes, new FederatedOptions());
            for (var i = 0; i < 3; i++)
            {
                owners.Add(new DataOwner(first.Client, "job", $"o{i}", TestData.Config(), TestData.Make(80, 10 + i), TestData.Classes));
                await owners[^1].ConnectAsync(first.Client);
            }
            await FederatedJob.RunAsync(first.Client, "job", TestData.Config(), shape, TestData.Classes, rounds: 2);
            afterTwo = await FederatedJob.DownloadAsync(first.Client, "job");
            // The crash: the silo dies without deactivating the coordinator, taking its memory with it.
            await first.KillSiloAsync(first.Primary!);
            await first.DisposeAsync();
            owners.ForEach(o => o.Dispose());

            var second = await ClusterFixture.Start(store, silos: 1);
            var coordinator = second.Client.GetGrain<IFederatedCoordinatorGrain>("job");
            Assert.Equal(2, (await coordinator.GetStateAsync()).Round);
            Assert.Equal(afterTwo, await FederatedJob.DownloadAsync(second.Client, "job"));
            Assert.Equal([1, 2], (await coordinator.GetReportsAsync()).Select(r => r.Round));
            // A restarted driver calls CreateAsync again: the job is found, not reset.
            await FederatedJob.CreateAsync(second.Client, "job", TestData.Config(), shape, TestData.Classes, new FederatedOptions());
            Assert.Equal(afterTwo, await FederatedJob.DownloadAsync(second.Client, "job"));
            owners.Clear();
            for (var i = 0; i < 3; i++)
            {
                owners.Add(new DataOwner(second.Client, "job", $"o{i}", TestData.Config(), TestData.Make(80, 10 + i), TestData.Classes));
                await owners[^1].ConnectAsync(second.Client);
            }
            var rounds = await FederatedJob.RunAsync(second.Client, "job", TestData.Config(), shape, TestData.Classes, rounds: 3);
            Assert.Equal([3], rounds.Select(r => r.Report.Round));
            await second.StopAllSilosAsync();
            await second.DisposeAsync();
            owners.ForEach(o => o.Dispose());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}

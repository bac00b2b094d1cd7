using Microsoft.Data.Sqlite;
using static ModelLoop.Cli.Tests.RegistryCommandsTests;

namespace ModelLoop.Cli.Tests;

/// <summary><c>modelloop usage --invoice MONTH</c> on a serving database file.</summary>
public sealed class UsageInvoiceCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-invoice-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    // A database as a server before billing wrote it (tenants and usage, no billing tables): invoices have no prices.
    private string Database()
    {
        var path = Out("serving.db");
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, requests_per_minute INTEGER NOT NULL, daily_request_quota INTEGER NULL,
                created_utc TEXT NOT NULL, items_per_minute INTEGER NULL, daily_item_quota INTEGER NULL);
            CREATE TABLE usage (tenant_id TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL, hour_utc TEXT NOT NULL,
                requests INTEGER NOT NULL, items INTEGER NOT NULL, compute_ms REAL NOT NULL, PRIMARY KEY (tenant_id, model, version, hour_utc));
            INSERT INTO tenants VALUES ('t_a', 'acme', 60, NULL, '2026-01-01T00:00:00.0000000+00:00', NULL, NULL);
            INSERT INTO tenants VALUES ('t_b', 'bravo', 60, NULL, '2026-01-01T00:00:00.0000000+00:00', NULL, NULL);
            INSERT INTO usage VALUES ('t_a', 'iris', '1', '2026-11-30T23:00Z', 2, 7, 1.5);
            INSERT INTO usage VALUES ('t_a', 'iris', '1', '2026-12-01T00:00Z', 5, 50, 1.5);
            """;
        command.ExecuteNonQuery();
        return path;
    }

    [Fact]
    public void A_month_that_does_not_exist_is_a_clear_error_naming_the_option()
    {
        var (exit, output) = Capture("usage", "--invoice", "2026-13", "--db", Database());

        Assert.Equal(2, exit);
        Assert.Contains("--invoice must be a UTC month written yyyy-MM", output);
        Assert.Contains("received '2026-13'", output);
    }

    [Fact]
    public void Invoices_are_written_one_file_per_tenant_with_the_months_usage()
    {
        var (exit, _) = Capture("usage", "--invoice", "2026-11", "--db", Database(), "--output", Out("invoices"));

        Assert.Equal(0, exit);
        var acme = File.ReadAllLines(Out("invoices/invoice-2026-11-t_a.csv"));
        Assert.StartsWith("TenantId,TenantName,Month,Currency,PlanId,Final,Kind,Model,Version,Unit,", acme[0]);
        Assert.StartsWith("t_a,acme,2026-11,XXX,,true,usage,iris,1,Requests,2026-11-01T00:00Z,2026-12-01T00:00Z,2,0,2,0,,0", acme[1]);
        Assert.StartsWith("t_a,acme,2026-11,XXX,,true,usage,iris,1,Items,2026-11-01T00:00Z,2026-12-01T00:00Z,7,0,7,0,,0", acme[2]);
        Assert.StartsWith("t_a,acme,2026-11,XXX,,true,total,", acme[3]);
        Assert.Equal(4, acme.Length);
        Assert.Equal(2, File.ReadAllLines(Out("invoices/invoice-2026-11-t_b.csv")).Length); // header and total: no usage
    }

    [Fact]
    public void An_unknown_tenant_and_a_bad_format_are_clear_errors()
    {
        var database = Database();

        var (unknown, unknownOutput) = Capture("usage", "--invoice", "2026-11", "--db", database, "--tenant", "t_zz");
        var (format, formatOutput) = Capture("usage", "--invoice", "2026-11", "--db", database, "--format", "xml");

        Assert.Equal((2, 2), (unknown, format));
        Assert.Contains("No tenant 't_zz'", unknownOutput);
        Assert.Contains("--format must be csv or json", formatOutput);
    }
}

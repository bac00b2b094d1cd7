using System.Globalization;
using CsvHelper;
using Microsoft.Data.Sqlite;
using ModelLoop.Contracts;

namespace ModelLoop.Serving.Metering;

/// <summary>Reads the usage a server metered, from its database file, and writes it as CSV for billing (<c>modelloop usage</c>).</summary>
public static class UsageReport
{
    /// <summary>Hourly rows in [from, to) UTC, optionally for one tenant, oldest first. The file is opened read-only (safe while the server runs: WAL).</summary>
    public static IReadOnlyList<UsageRow> Read(string databasePath, string? tenantId = null, DateTime? fromUtc = null, DateTime? toUtc = null)
    {
        if (!File.Exists(databasePath))
            throw new FileNotFoundException($"The usage database '{databasePath}' does not exist. Pass the file the server was started with (Serving:DatabasePath, `modelloop serve --db`).", databasePath);
        var builder = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(databasePath), Mode = SqliteOpenMode.ReadOnly };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        try
        {
            return UsageMeter.Query(connection, tenantId, fromUtc, toUtc);
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"'{databasePath}' is not a ModelLoop serving database ({e.Message}). Pass the file given to `modelloop serve --db`.", e);
        }
    }

    /// <summary>Rows as CSV with header TenantId,Model,Version,HourUtc,Requests,Items,ComputeMs,PromptTokens,CompletionTokens (invariant culture, RFC 4180).</summary>
    public static string ToCsv(IEnumerable<UsageRow> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, options: null, leaveOpen: true))
        {
            csv.WriteHeader([nameof(UsageRow.TenantId), nameof(UsageRow.Model), nameof(UsageRow.Version), nameof(UsageRow.HourUtc),
                nameof(UsageRow.Requests), nameof(UsageRow.Items), nameof(UsageRow.ComputeMs), nameof(UsageRow.PromptTokens), nameof(UsageRow.CompletionTokens)]);
            foreach (var row in rows)
            {
                csv.WriteRecord([row.TenantId, row.Model, row.Version, row.HourUtc, row.Requests.ToString(CultureInfo.InvariantCulture),
                    row.Items.ToString(CultureInfo.InvariantCulture), row.ComputeMs.ToString(CultureInfo.InvariantCulture),
                    row.PromptTokens.ToString(CultureInfo.InvariantCulture), row.CompletionTokens.ToString(CultureInfo.InvariantCulture)]);
            }
        }
        return text.ToString();
    }
}

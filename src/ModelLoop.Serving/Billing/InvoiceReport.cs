using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Microsoft.Data.Sqlite;
using ModelLoop.Contracts;

namespace ModelLoop.Serving.Billing;

/// <summary>
/// Monthly invoices from a serving database file (<c>modelloop usage --invoice 2026-12</c>) and their CSV and JSON forms
/// (also those of the admin API). Usage, prices, plans and tenants are read in one snapshot (one read transaction), so an
/// invoice never mixes states of the database.
/// </summary>
public static class InvoiceReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// The invoices of <paramref name="month"/>: of one tenant, or of every tenant that existed in the month or has usage in
    /// it. The file is opened read-only (safe while the server runs: WAL); a file without billing tables has no prices.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tenant <paramref name="tenantId"/> and no usage of it.</exception>
    public static IReadOnlyList<Invoice> Read(string databasePath, BillingMonth month, string? tenantId = null, DateTime? nowUtc = null)
    {
        if (!File.Exists(databasePath))
            throw new FileNotFoundException($"The usage database '{databasePath}' does not exist. Pass the file the server was started with (Serving:DatabasePath, `modelloop serve --db`).", databasePath);
        var builder = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(databasePath), Mode = SqliteOpenMode.ReadOnly };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        try
        {
            return Build(connection, month, tenantId, nowUtc ?? DateTime.UtcNow);
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"'{databasePath}' is not a ModelLoop serving database ({e.Message}). Pass the file given to `modelloop serve --db`.", e);
        }
    }

    /// <summary>The invoices of a month from an open connection, in one read transaction (see <see cref="Read"/>).</summary>
    internal static IReadOnlyList<Invoice> Build(SqliteConnection connection, BillingMonth month, string? tenantId, DateTime nowUtc)
    {
        using var snapshot = connection.BeginTransaction(deferred: true);
        var book = PriceBook.Read(connection, snapshot);
        var tenants = TenantDirectory.Read(connection, snapshot);
        var usage = MeteredHour.Read(connection, snapshot, tenantId, month).ToLookup(h => h.TenantId, StringComparer.Ordinal);
        IEnumerable<string> ids;
        if (tenantId is not null)
        {
            if (!tenants.ContainsKey(tenantId) && !usage.Contains(tenantId))
                throw new KeyNotFoundException($"No tenant '{tenantId}' and no usage of it in {month}. GET /v1/admin/tenants lists the tenants (ids start with 't_').");
            ids = [tenantId];
        }
        else
            ids = tenants.Values.Where(t => t.CreatedUtc < month.EndUtc).Select(t => t.Id).Union(usage.Select(g => g.Key)).Order(StringComparer.Ordinal);
        return ids.Select(id => InvoiceCalculator.Compute(month, id, tenants.TryGetValue(id, out var t) ? t.Name : id, usage[id], book, nowUtc)).ToList();
    }

    /// <summary>
    /// Invoices as CSV (invariant culture, RFC 4180), one row per line plus, per invoice, a "plan_fee" row (when a plan
    /// applies) and a "total" row whose Amount is the invoice's total; the other rows' amounts add up to it. Header:
    /// TenantId,TenantName,Month,Currency,PlanId,Final,Kind,Model,Version,Unit,FromUtc,ToUtc,Quantity,Included,Billable,PricePerThousand,PriceEffectiveFrom,Amount.
    /// </summary>
    public static string ToCsv(IEnumerable<Invoice> invoices)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, options: null, leaveOpen: true))
        {
            csv.WriteHeader(["TenantId", "TenantName", "Month", "Currency", "PlanId", "Final", "Kind", "Model", "Version", "Unit", "FromUtc", "ToUtc",
                "Quantity", "Included", "Billable", "PricePerThousand", "PriceEffectiveFrom", "Amount"]);
            foreach (var invoice in invoices)
            {
                string[] head = [invoice.TenantId, invoice.TenantName, invoice.Month, invoice.Currency, invoice.PlanId ?? "", invoice.IsFinal ? "true" : "false"];
                foreach (var line in invoice.Lines)
                {
                    csv.WriteRecord([.. head, "usage", line.Model, line.Version, line.Unit.ToString(), Time(line.FromUtc), Time(line.ToUtc),
                        Number(line.Quantity), Number(line.Included), Number(line.Billable), Number(line.PricePerThousand),
                        line.PriceEffectiveFrom is { } from ? PriceBook.Text(from) : "", Number(line.Amount)]);
                }
                if (invoice.PlanId is not null)
                    csv.WriteRecord([.. head, "plan_fee", "", "", "", Time(invoice.PeriodStartUtc), Time(invoice.PeriodEndUtc), "", "", "", "", "", Number(invoice.PlanFee)]);
                csv.WriteRecord([.. head, "total", "", "", "", Time(invoice.PeriodStartUtc), Time(invoice.PeriodEndUtc), "", "", "", "", "", Number(invoice.Total)]);
            }
        }
        return text.ToString();
    }

    /// <summary>Invoices as indented JSON (the API's shape: camelCase, units as names, amounts as exact decimals).</summary>
    public static string ToJson(IEnumerable<Invoice> invoices) => JsonSerializer.Serialize(invoices.ToList(), Json);

    /// <summary>One invoice as indented JSON.</summary>
    public static string ToJson(Invoice invoice) => JsonSerializer.Serialize(invoice, Json);

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH':'mm'Z'", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

using System.CommandLine;
using System.Globalization;
using ModelLoop.Contracts;
using ModelLoop.IO;
using ModelLoop.Serving.Metering;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary><c>modelloop usage</c>: metered usage from a server's database, as a table of totals or as CSV for billing.</summary>
internal static class UsageCommand
{
    public static Command Create()
    {
        var database = new Option<string>("--db") { Description = "The server's SQLite file (modelloop serve --db). Defaults to modelloop-serving.db.", DefaultValueFactory = _ => "modelloop-serving.db" };
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant id (t_…). Defaults to all." };
        var from = new Option<string?>("--from") { Description = "From this UTC date/time, inclusive (e.g. 2026-11-01). Defaults to the beginning." };
        var to = new Option<string?>("--to") { Description = "Up to this UTC date/time, exclusive (e.g. 2026-12-01). Defaults to now." };
        var csv = new Option<string?>("--csv") { Description = "Write the hourly rows as CSV to this file ('-' for standard output) instead of the totals table." };
        var invoice = new Option<string?>("--invoice") { Description = "The invoices of this UTC month (yyyy-MM, e.g. 2026-12) from the metered usage, prices and plans, instead of usage rows. Defaults to none." };
        var format = new Option<string?>("--format") { Description = "With --invoice: csv or json. Defaults to a table (csv with --output)." };
        var output = new Option<string?>("--output") { Description = "With --invoice: write one file per tenant (invoice-MONTH-TENANT.csv|json) into this folder. Defaults to standard output." };
        var command = new Command("usage", "Show or export per-tenant usage (requests, items, compute ms) metered by `modelloop serve`, or monthly invoices (--invoice).")
        {
            database, tenant, from, to, csv, invoice, format, output,
        };
        command.SetAction(result =>
        {
            if (result.GetValue(invoice) is { } month)
            {
                if (result.GetValue(csv) is not null || result.GetValue(from) is not null || result.GetValue(to) is not null)
                    throw new ArgumentException("--invoice covers one whole month; it does not take --csv, --from or --to. Use --format csv and --output DIR instead.");
                return UsageInvoiceOutput.Write(result.GetValue(database)!, month, result.GetValue(tenant), result.GetValue(format), result.GetValue(output));
            }
            if (result.GetValue(format) is not null || result.GetValue(output) is not null)
                throw new ArgumentException("--format and --output apply to --invoice MONTH; for usage rows use --csv FILE.");
            var rows = UsageReport.Read(result.GetValue(database)!, result.GetValue(tenant), Date(result.GetValue(from), "--from"), Date(result.GetValue(to), "--to"));
            var csvPath = result.GetValue(csv);
            if (csvPath == "-")
                Console.Write(UsageReport.ToCsv(rows));
            else if (csvPath is not null)
            {
                AtomicFile.WriteAllText(csvPath, UsageReport.ToCsv(rows));
                Console.WriteLine($"Wrote {rows.Count} rows to {Path.GetFullPath(csvPath)}.");
            }
            else
                PrintTotals(rows);
            return 0;
        });
        return command;
    }

    private static void PrintTotals(IReadOnlyList<UsageRow> rows)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Tenant").AddColumn("Model").AddColumn("Version")
            .AddColumn(new TableColumn("Requests").RightAligned()).AddColumn(new TableColumn("Items").RightAligned()).AddColumn(new TableColumn("Compute ms").RightAligned());
        foreach (var group in rows.GroupBy(r => (r.TenantId, r.Model, r.Version)).OrderBy(g => g.Key))
        {
            table.AddRow(Markup.Escape(group.Key.TenantId), Markup.Escape(group.Key.Model), Markup.Escape(group.Key.Version),
                group.Sum(r => r.Requests).ToString("N0", CultureInfo.InvariantCulture),
                group.Sum(r => r.Items).ToString("N0", CultureInfo.InvariantCulture),
                group.Sum(r => r.ComputeMs).ToString("N1", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        if (rows.Count == 0)
            Console.WriteLine("No usage recorded in this range.");
    }

    /// <summary>A UTC date or time option (ISO 8601); null when not given.</summary>
    internal static DateTime? Date(string? text, string option)
    {
        if (text is null)
            return null;
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new ArgumentException($"{option} expects an ISO 8601 UTC date or time such as 2026-11-23 or 2026-11-23T17:00Z; received '{text}'.");
    }
}

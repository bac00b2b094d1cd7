using System.Globalization;
using ModelLoop.Contracts;
using ModelLoop.IO;
using ModelLoop.Serving.Billing;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop usage --invoice 2026-12 [--tenant ID] [--format csv|json] [--output DIR]</c>: the month's invoices from
/// the server's database, as a summary table, as CSV or JSON on standard output, or as one file per tenant in DIR
/// (invoice-2026-12-t_….csv, written atomically).
/// </summary>
internal static class UsageInvoiceOutput
{
    public static int Write(string databasePath, string month, string? tenantId, string? format, string? output)
    {
        var period = BillingMonth.Parse(month, "--invoice");
        var kind = format?.ToLowerInvariant() switch
        {
            null => output is null ? "table" : "csv",
            "csv" or "json" => format.ToLowerInvariant(),
            _ => throw new ArgumentException($"--format must be csv or json (defaults to a table on the terminal, csv with --output); received '{format}'."),
        };
        var invoices = InvoiceReport.Read(databasePath, period, tenantId);
        if (output is not null)
        {
            Directory.CreateDirectory(output);
            foreach (var invoice in invoices)
            {
                var path = Path.Combine(output, $"invoice-{invoice.Month}-{invoice.TenantId}.{(kind == "table" ? "csv" : kind)}");
                AtomicFile.WriteAllText(path, kind == "json" ? InvoiceReport.ToJson(invoice) : InvoiceReport.ToCsv([invoice]));
            }
            Console.WriteLine($"Wrote {invoices.Count} invoice{(invoices.Count == 1 ? "" : "s")} for {period} to {Path.GetFullPath(output)}.");
        }
        else if (kind == "csv")
            Console.Write(InvoiceReport.ToCsv(invoices));
        else if (kind == "json")
            Console.WriteLine(tenantId is null ? InvoiceReport.ToJson(invoices) : InvoiceReport.ToJson(invoices[0]));
        else
            PrintTable(period, invoices);
        return 0;
    }

    private static void PrintTable(BillingMonth period, IReadOnlyList<Invoice> invoices)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"Invoices {period}{(invoices.Count > 0 && !invoices[0].IsFinal ? " (draft: final one hour after the month ends)" : "")}")
            .AddColumn("Tenant").AddColumn("Plan").AddColumn(new TableColumn("Lines").RightAligned())
            .AddColumn(new TableColumn("Plan fee").RightAligned()).AddColumn(new TableColumn("Usage").RightAligned()).AddColumn(new TableColumn("Total").RightAligned());
        foreach (var invoice in invoices)
        {
            table.AddRow(Markup.Escape($"{invoice.TenantName} ({invoice.TenantId})"), Markup.Escape(invoice.PlanId ?? "-"),
                invoice.Lines.Count.ToString(CultureInfo.InvariantCulture), Money(invoice.PlanFee, invoice.Currency),
                Money(invoice.UsageAmount, invoice.Currency), Money(invoice.Total, invoice.Currency));
        }
        AnsiConsole.Write(table);
        if (invoices.Count == 0)
            Console.WriteLine($"No tenants and no usage in {period}.");
    }

    private static string Money(decimal amount, string currency) => $"{amount.ToString(CultureInfo.InvariantCulture)} {currency}";
}

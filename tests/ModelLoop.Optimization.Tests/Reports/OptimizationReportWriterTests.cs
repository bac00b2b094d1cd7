using ModelLoop.Optimization.Reports;

namespace ModelLoop.Optimization.Tests.Reports;

public sealed class OptimizationReportWriterTests
{
    private static OptimizationReport Report() => new()
    {
        Model = "fashion:production",
        Cpu = "test CPU",
        Threads = 2,
        Variants = ParetoFront.Mark(
        [
            new VariantMeasurement { Name = "baseline", Method = "fp32", Runtime = "torchsharp", Accuracy = 0.91, Batch1LatencyMs = 2, SizeBytes = 4_000_000, Parameters = 1_000_000 },
            new VariantMeasurement { Name = "int8", Method = "int8 static", Runtime = "onnxruntime", Accuracy = 0.905, Batch1LatencyMs = 0.5, SizeBytes = 1_000_000,
                VerdictVersusBaseline = "NotSignificantlyDifferent", PValueVersusBaseline = 0.4 },
        ]),
    };

    [Fact]
    public void The_report_is_written_as_json_markdown_html_and_a_png_plot()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ml-optreport-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = OptimizationReportWriter.Write(Report(), folder);
            var markdown = File.ReadAllText(files.Markdown);
            Assert.Contains("| ★ int8 | int8 static | onnxruntime", markdown);
            Assert.Contains("×4.00 smaller", markdown);
            Assert.Contains("×4.00 faster", markdown);
            Assert.Contains("−0.50 pt", markdown);
            Assert.Contains("<img src=\"pareto.png\"", File.ReadAllText(files.Html));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(files.ParetoPlot).Take(4));
            var back = OptimizationReport.FromJson(File.ReadAllText(files.Json));
            Assert.Equal(Report().Variants.Select(v => v.Name), back.Variants.Select(v => v.Name));
            Assert.Equal(0.905, back.Variants[1].Accuracy);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, true);
        }
    }
}

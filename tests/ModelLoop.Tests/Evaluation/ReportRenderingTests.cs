using System.Globalization;
using System.Text.RegularExpressions;
using ModelLoop.Tests.Training;
using SkiaSharp;

namespace ModelLoop.Tests.Evaluation;

/// <summary>Renders the HTML report in headless Chromium and checks that the plots are really on the page.</summary>
public sealed class ReportRenderingTests
{
    // Appended to a copy of the report: after load, lists every image that decoded (naturalWidth > 0) with its
    // box in page pixels, so the screenshot can be checked where each plot is.
    private const string Probe = """
        <script>
        window.addEventListener('load', () => {
          const rows = [...document.querySelectorAll('img.plot')].map(i => {
            const r = i.getBoundingClientRect();
            return [i.dataset.plot, i.naturalWidth, Math.round(r.left), Math.round(r.top + window.scrollY), Math.round(r.width), Math.round(r.height)].join(' ');
          });
          const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = rows.join('\n'); document.body.appendChild(pre);
        });
        </script>
        """;

    [Fact]
    public void ChromiumRendersEveryPlotOfTheReportWithRealContent()
    {
        HeadlessChromium.EnsureInstalled();
        using var folder = new TempFolder();
        var files = ReportWriterTests.WriteImageReport(folder.Path);
        var probed = folder.File("probed.html");
        File.WriteAllText(probed, File.ReadAllText(files.Html).Replace("</body>", Probe + "</body>", StringComparison.Ordinal));

        var dom = HeadlessChromium.DumpDom(probed);
        var screenshot = folder.File("report.png");
        HeadlessChromium.Screenshot(files.Html, screenshot);

        var probe = Regex.Match(dom, "<pre id=\"probe\">([^<]*)</pre>");
        Assert.True(probe.Success, "the probe script did not run: chromium did not load the page");
        var boxes = probe.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Select(f => (Name: f[0], NaturalWidth: Int(f[1]), X: Int(f[2]), Y: Int(f[3]), W: Int(f[4]), H: Int(f[5])))
            .ToArray();
        Assert.Equal(files.Plots, boxes.Select(b => b.Name));
        Assert.All(boxes, b => Assert.True(b.NaturalWidth > 0, $"plot {b.Name} did not decode"));

        using var bitmap = SKBitmap.Decode(screenshot);
        Assert.NotNull(bitmap);
        var checkedPlots = 0;
        foreach (var box in boxes.Where(b => b.Y + b.H <= bitmap.Height))
        {
            var (colours, nonWhite) = Inspect(bitmap, box.X, box.Y, box.W, box.H);
            // A drawn plot has axes, text and coloured lines or cells: many colours, and far more ink than an empty box.
            Assert.True(colours >= 20, $"plot {box.Name} at ({box.X}, {box.Y}) shows only {colours} colours");
            Assert.True(nonWhite > box.W * box.H / 50, $"plot {box.Name} at ({box.X}, {box.Y}) is nearly blank ({nonWhite} non-white pixels)");
            checkedPlots++;
        }
        Assert.True(checkedPlots >= 5, $"only {checkedPlots} plots lie inside the {bitmap.Height}-pixel screenshot");
    }

    [Fact]
    public void TheScreenshotCheckFailsForAPageWhosePlotsAreMissing()
    {
        HeadlessChromium.EnsureInstalled();
        using var folder = new TempFolder();
        var files = ReportWriterTests.WriteImageReport(folder.Path);
        var broken = folder.File("broken.html");
        File.WriteAllText(broken, Regex.Replace(File.ReadAllText(files.Html), "data:image/png;base64,[^\"]+", "data:image/png;base64,AAAA"));
        var screenshot = folder.File("broken.png");

        HeadlessChromium.Screenshot(broken, screenshot);

        // The same page without decodable images: where the first plot would be there is (almost) nothing.
        using var bitmap = SKBitmap.Decode(screenshot);
        var html = File.ReadAllText(files.Html);
        Assert.Contains("data-plot=\"confusion-matrix\"", html, StringComparison.Ordinal);
        var (colours, _) = Inspect(bitmap, 0, 0, bitmap.Width, Math.Min(bitmap.Height, 2400));
        Assert.True(colours < 400, $"a page without plots still shows {colours} colours; the colour check could not tell it apart");
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    private static (int Colours, int NonWhite) Inspect(SKBitmap bitmap, int x, int y, int w, int h)
    {
        var colours = new HashSet<uint>();
        var nonWhite = 0;
        for (var row = Math.Max(0, y); row < Math.Min(bitmap.Height, y + h); row++)
            for (var column = Math.Max(0, x); column < Math.Min(bitmap.Width, x + w); column++)
            {
                var c = bitmap.GetPixel(column, row);
                colours.Add((uint)c);
                if (c.Red < 240 || c.Green < 240 || c.Blue < 240)
                    nonWhite++;
            }
        return (colours.Count, nonWhite);
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ModelLoop.IO;

namespace ModelLoop.Evaluation.Report;

/// <summary>
/// Writes an evaluation as a self-contained HTML page (every plot a PNG embedded as a base64 data URI, CSS
/// inline: one file to mail or archive) and a JSON summary beside it, both atomically.
/// </summary>
public static class ReportWriter
{
    /// <summary>Writes <c>report.html</c> and <c>evaluation.json</c> into <paramref name="directory"/>.</summary>
    public static ReportFiles Write(EvaluationResult result, string directory, ReportContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(directory);
        context ??= new ReportContext();
        var plots = DrawPlots(result, context);
        var html = Path.Combine(directory, "report.html");
        var json = Path.Combine(directory, "evaluation.json");
        AtomicFile.WriteAllText(html, Html(result, context, plots));
        var document = new
        {
            title = context.Title,
            model = context.Model,
            data = context.Data,
            summary = result.Summary,
            comparison = context.Comparison,
            plots = plots.Select(p => p.Name).Concat(context.Sections.SelectMany(s => s.Plots).Select(p => p.Name)).ToArray(),
        };
        var node = JsonSerializer.SerializeToNode(document, ComparisonResult.Json)!.AsObject();
        foreach (var section in context.Sections)
        {
            if (node.ContainsKey(section.Key))
                throw new ArgumentException($"Report section key '{section.Key}' is already a key of evaluation.json ({string.Join(", ", node.Select(p => p.Key))}). Give the section another key.", nameof(context));
            node[section.Key] = JsonSerializer.SerializeToNode(section.Data, ComparisonResult.Json);
        }
        AtomicFile.WriteAllText(json, node.ToJsonString(ComparisonResult.Json));
        return new ReportFiles(html, json, document.plots);
    }

    private sealed record PlotImage(string Name, string Caption, byte[] Png);

    private static List<PlotImage> DrawPlots(EvaluationResult result, ReportContext context)
    {
        var plots = new List<PlotImage>();
        var history = context.History;
        if (history.Count > 0)
        {
            var keys = history.SelectMany(r => r.Keys).ToHashSet();
            if (keys.Any(k => k.Contains("loss", StringComparison.Ordinal)))
                plots.Add(new("training-loss", "Training and validation loss per epoch.", ReportPlots.TrainingCurves(history, losses: true)));
            if (keys.Any(k => !k.Contains("loss", StringComparison.Ordinal) && k is not ("epoch" or "lr" or "learning_rate" or "seconds")))
                plots.Add(new("training-metrics", "Training and validation metrics per epoch.", ReportPlots.TrainingCurves(history, losses: false)));
        }
        var summary = result.Summary;
        if (summary.Task == EvaluationTask.Classification)
        {
            plots.Add(new("confusion-matrix", "Confusion matrix: rows are true classes, columns predicted ones; numbers are counts.", ReportPlots.ConfusionMatrix(summary.ConfusionMatrix, summary.ClassNames)));
            plots.Add(new("roc", "ROC curves (one-vs-rest per class; the positive class for binary models).", ReportPlots.Roc(result)));
            plots.Add(new("precision-recall", "Precision-recall curves with average precision.", ReportPlots.PrecisionRecall(result)));
            plots.Add(new("per-class", "Precision, recall and F1 of every class.", ReportPlots.PerClassBars(summary.PerClass)));
            plots.Add(new("calibration", "Calibration: a well-calibrated model lies on the diagonal.", ReportPlots.Calibration(result, context.CalibrationBins)));
            if (summary.Fairness is { } fairness)
                plots.Add(new("fairness", $"Accuracy, recall and selection rate by {fairness.GroupName}.", ReportPlots.Fairness(fairness)));
        }
        else if (summary.Task == EvaluationTask.Regression)
        {
            plots.Add(new("predicted-vs-true", "Predicted against true values; the dashed line is a perfect model.", ReportPlots.PredictedVsActual(result.Targets!, result.Predictions!)));
            plots.Add(new("residuals", "Distribution of residuals.", ReportPlots.Residuals(result.Targets!, result.Predictions!)));
        }
        if (summary.FeatureImportance.Count > 0)
            plots.Add(new("feature-importance", "Permutation importance: how much the score drops when a feature's values are shuffled (mean ± std over repeats).", ReportPlots.FeatureImportance(summary.FeatureImportance)));
        return plots;
    }

    private static string Html(EvaluationResult result, ReportContext context, List<PlotImage> plots)
    {
        var summary = result.Summary;
        var page = new StringBuilder();
        var meta = $"{E(summary.Task.ToString())} · {summary.Samples.ToString("N0", CultureInfo.InvariantCulture)} test samples" +
            (context.Model is null ? "" : " · model " + E(context.Model)) + (context.Data is null ? "" : " · data " + E(context.Data));
        page.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{E(context.Title)}</title>\n<style>{Css}</style></head><body>\n");
        page.Append($"<h1>{E(context.Title)}</h1>\n<p class=\"meta\">{meta}</p>\n");
        foreach (var warning in summary.Warnings)
            page.Append(CultureInfo.InvariantCulture, $"<p class=\"warning\">{E(warning)}</p>\n");
        if (context.Comparison is { } comparison)
        {
            page.Append(CultureInfo.InvariantCulture, $"<h2>Against the champion: {E(comparison.Verdict.ToString())}</h2>\n<p>{E(comparison.Reason)}</p>\n");
            page.Append(CultureInfo.InvariantCulture, $"<table><thead><tr><th>metric</th><th>champion</th><th>this model</th><th>difference</th><th>{comparison.Options.ConfidenceLevel * 100:0.#}% interval</th></tr></thead><tbody>\n");
            foreach (var m in comparison.Metrics)
                page.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(m.Metric)}{(m.HigherIsBetter ? "" : " (lower is better)")}</td><td>{Number(m.Champion)}</td><td>{Number(m.Challenger)}</td><td>{Number(m.Difference)}</td><td>[{Number(m.Lower)}, {Number(m.Upper)}]</td></tr>\n");
            page.Append("</tbody></table>\n");
        }
        page.Append("<h2>Metrics</h2>\n<table><thead><tr><th>metric</th><th>value</th></tr></thead><tbody>\n");
        foreach (var (name, value) in summary.Metrics)
            page.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(name)}</td><td>{Number(value)}</td></tr>\n");
        page.Append("</tbody></table>\n<h2>Plots</h2>\n<div class=\"plots\">\n");
        foreach (var plot in plots)
            page.Append(CultureInfo.InvariantCulture, $"<figure><img class=\"plot\" data-plot=\"{plot.Name}\" alt=\"{E(plot.Caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(plot.Png)}\"><figcaption>{E(plot.Caption)}</figcaption></figure>\n");
        page.Append("</div>\n");
        foreach (var section in context.Sections)
            Section(page, section);
        if (summary.PerClass.Count > 0)
        {
            page.Append("<h2>Per class</h2>\n<table><thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th><th>ROC AUC</th><th>average precision</th></tr></thead><tbody>\n");
            foreach (var c in summary.PerClass)
                page.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(c.Name)}</td><td>{Number(c.Precision)}</td><td>{Number(c.Recall)}</td><td>{Number(c.F1)}</td><td>{c.Support:N0}</td><td>{Number(c.RocAuc)}</td><td>{Number(c.AveragePrecision)}</td></tr>\n");
            page.Append("</tbody></table>\n");
        }
        if (summary.Fairness is { } slices)
        {
            page.Append(CultureInfo.InvariantCulture, $"<h2>By {E(slices.GroupName)}</h2>\n<p>Demographic parity difference {Number(slices.DemographicParityDifference)} · equalized odds difference {Number(slices.EqualizedOddsDifference)} (positive class {slices.PositiveClass}; 0 = groups treated alike).</p>\n");
            page.Append(CultureInfo.InvariantCulture, $"<table><thead><tr><th>{E(slices.GroupName)}</th><th>samples</th><th>accuracy</th><th>recall</th><th>false positive rate</th><th>selection rate</th></tr></thead><tbody>\n");
            foreach (var g in slices.Groups)
                page.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(g.Group)}</td><td>{g.Count:N0}</td><td>{Number(g.Accuracy)}</td><td>{Number(g.Recall)}</td><td>{Number(g.FalsePositiveRate)}</td><td>{Number(g.SelectionRate)}</td></tr>\n");
            page.Append("</tbody></table>\n");
        }
        if (result.WrongExampleImages.Count > 0)
        {
            page.Append("<h2>Most confidently wrong</h2>\n<p class=\"meta\">Test images the model got wrong with the highest confidence: caption is true → predicted (confidence).</p>\n<div class=\"gallery\">\n");
            for (var i = 0; i < result.WrongExampleImages.Count; i++)
            {
                var w = summary.MostConfidentlyWrong[i];
                var caption = string.Create(CultureInfo.InvariantCulture, $"#{w.Index}: {result.ClassName(w.Label)} → {result.ClassName(w.Predicted)} ({w.Confidence * 100:0}%)");
                var png = ReportPlots.Thumbnail(result.WrongExampleImages[i], result.ImageShape);
                page.Append(CultureInfo.InvariantCulture, $"<figure><img class=\"thumbnail\" alt=\"{E(caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"><figcaption>{E(caption)}</figcaption></figure>\n");
            }
            page.Append("</div>\n");
        }
        if (result.Attributions.Count > 0)
        {
            page.Append("<h2>Why: saliency and integrated gradients</h2>\n<p class=\"meta\">For the most confidently wrong images, where the predicted class's score comes from: saliency (|gradient|) and integrated gradients (from a black image), bright = more influence.</p>\n<div class=\"gallery\">\n");
            for (var i = 0; i < result.Attributions.Count; i++)
            {
                var w = summary.MostConfidentlyWrong[i];
                var name = result.ClassName(w.Predicted);
                foreach (var (map, kind) in new[] { (result.Attributions[i].Saliency, "saliency"), (result.Attributions[i].IntegratedGradients, "integrated gradients") })
                {
                    var caption = $"#{w.Index} → {name}: {kind}";
                    var png = ReportPlots.Overlay(result.WrongExampleImages[i], map, result.ImageShape);
                    page.Append(CultureInfo.InvariantCulture, $"<figure><img class=\"attribution\" data-kind=\"{kind}\" alt=\"{E(caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"><figcaption>{E(caption)}</figcaption></figure>\n");
                }
            }
            page.Append("</div>\n");
        }
        page.Append("</body></html>\n");
        return page.ToString();
    }

    private static void Section(StringBuilder page, ReportSection section)
    {
        page.Append(CultureInfo.InvariantCulture, $"<h2 data-section=\"{E(section.Key)}\">{E(section.Heading)}</h2>\n");
        foreach (var warning in section.Warnings)
            page.Append(CultureInfo.InvariantCulture, $"<p class=\"warning\">{E(warning)}</p>\n");
        foreach (var paragraph in section.Paragraphs)
            page.Append(CultureInfo.InvariantCulture, $"<p>{E(paragraph)}</p>\n");
        if (section.TableHeaders.Count > 0)
        {
            page.Append("<table><thead><tr>").AppendJoin("", section.TableHeaders.Select(h => $"<th>{E(h)}</th>")).Append("</tr></thead><tbody>\n");
            foreach (var row in section.TableRows)
                page.Append("<tr>").AppendJoin("", row.Select(c => $"<td>{E(c)}</td>")).Append("</tr>\n");
            page.Append("</tbody></table>\n");
        }
        if (section.Plots.Count == 0)
            return;
        page.Append("<div class=\"plots\">\n");
        foreach (var plot in section.Plots)
            page.Append(CultureInfo.InvariantCulture, $"<figure><img class=\"plot\" data-plot=\"{E(plot.Name)}\" alt=\"{E(plot.Caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(plot.Png)}\"><figcaption>{E(plot.Caption)}</figcaption></figure>\n");
        page.Append("</div>\n");
    }

    private const string Css = """
        body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1240px; color: #222; background: #fff; }
        h1 { margin-bottom: 4px; } .meta { color: #666; margin-top: 0; }
        table { border-collapse: collapse; margin: 8px 0 24px; } th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: right; }
        th:first-child, td:first-child { text-align: left; } thead th { background: #f4f4f4; }
        .plots { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
        figure { margin: 0; } figure img { max-width: 100%; border: 1px solid #eee; } figcaption { color: #555; font-size: 0.9em; }
        .gallery { display: flex; flex-wrap: wrap; gap: 8px; } .gallery figure { width: 170px; } .gallery img { width: 170px; } .gallery figcaption { font-size: 0.8em; }
        .warning { background: #fff4e5; border-left: 4px solid #f0a030; padding: 6px 10px; margin: 6px 0; }
        """;

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Number(double? value) =>
        value is not { } v || double.IsNaN(v) ? "—" : v.ToString("0.####", CultureInfo.InvariantCulture);
}

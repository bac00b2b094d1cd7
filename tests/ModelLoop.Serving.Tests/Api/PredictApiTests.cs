using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Contracts;

namespace ModelLoop.Serving.Tests.Api;

public sealed class PredictApiTests
{
    [Fact]
    public async Task AClassifierAnswersEachItemWithItsLabelClassAndSoftmaxProbabilitiesByClassName()
    {
        using var server = new ServerHost();
        using var client = server.Client();
        float[][] items = [[5.1f, 3.5f, 1.4f, 0.2f], [6.7f, 3.0f, 5.2f, 2.3f]];

        var response = await client.PostAsJsonAsync("/v1/models/iris/predict", new { inputs = items });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
        Assert.Equal(("iris", "1"), (body.Model, body.Version));
        Assert.Equal(2, body.Predictions.Count);
        for (var i = 0; i < items.Length; i++)
        {
            var logits = TestModels.Reference(server.Iris1, items[i]);
            var expected = Softmax(logits);
            var predicted = Array.IndexOf(logits, logits.Max());
            var item = body.Predictions[i];
            Assert.Equal(predicted, item.Class);
            Assert.Equal(ServerHost.IrisClasses[predicted], item.Label);
            Assert.Equal(ServerHost.IrisClasses, item.Probabilities!.Keys.Order(StringComparer.Ordinal));
            for (var c = 0; c < 3; c++)
                Assert.Equal(expected[c], item.Probabilities[ServerHost.IrisClasses[c]], 4);
            Assert.Null(item.Outputs);
            Assert.Null(item.Values);
        }
    }

    [Fact]
    public async Task RawOutputsAreAddedOnlyWhenAskedForByQueryOrBodyFlag()
    {
        using var server = new ServerHost();
        using var client = server.Client();
        float[] item = [5.1f, 3.5f, 1.4f, 0.2f];
        var logits = TestModels.Reference(server.Iris1, item);

        var plain = await client.PostAsJsonAsync("/v1/models/iris/predict", new { input = item });
        var byQuery = await client.PostAsJsonAsync("/v1/models/iris/predict?outputs=raw", new { input = item });
        var byFlag = await client.PostAsJsonAsync("/v1/models/iris/predict", new { input = item, returnOutputs = true });
        var badQuery = await client.PostAsJsonAsync("/v1/models/iris/predict?outputs=logits", new { input = item });
        var badFlag = await client.PostAsJsonAsync("/v1/models/iris/predict", new { input = item, returnOutputs = "yes" });

        Assert.DoesNotContain("\"outputs\"", await plain.Content.ReadAsStringAsync());
        foreach (var response in new[] { byQuery, byFlag })
        {
            var outputs = (await response.Content.ReadFromJsonAsync<PredictResponse>())!.Predictions[0].Outputs!;
            for (var j = 0; j < 3; j++)
                Assert.Equal(logits[j], outputs[j], 4);
        }
        await BadInputTests.AssertProblem(badQuery, 400, "'logits'");
        await BadInputTests.AssertProblem(badFlag, 400, "returnOutputs");
    }

    [Fact]
    public async Task ARunFolderWithACategoricalPipelineTakesRawRecordsAndAnswersLikeThePipelineAndModel()
    {
        using var server = new ServerHost();
        var (_, pipeline) = RegistryServerHost.Patients();
        TorchSharp.torch.random.manual_seed(6);
        using var model = new Sequential(pipeline.FeatureCount) { new Dense(6, Activation.Relu), new Dense(2) };
        TestModels.WriteRun(Path.Combine(server.ModelsPath, "patients"), model, pipeline: pipeline);
        using var client = server.Client();
        const string records = """{ "records": [{ "age": 30, "color": "blue", "dose": null }, { "age": "41", "color": "red", "dose": 2.25 }] }""";

        var response = await client.PostAsync("/v1/models/patients/predict", new StringContent(records, Encoding.UTF8, "application/json"));
        var numbers = await client.PostAsJsonAsync("/v1/models/patients/predict", new { inputs = new[] { new float[pipeline.FeatureCount] } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
        using var sent = JsonDocument.Parse(records);
        var items = sent.RootElement.GetProperty("records").EnumerateArray().ToArray();
        for (var i = 0; i < items.Length; i++)
        {
            using var features = pipeline.Transform(items[i]);
            var expected = Softmax(TestModels.Reference(model, features.data<float>().ToArray()));
            var label = expected[1] > expected[0] ? "1" : "0";
            Assert.Equal(label, body.Predictions[i].Label);
            Assert.Equal(expected[0], body.Predictions[i].Probabilities!["0"], 4);
            Assert.Equal(expected[1], body.Predictions[i].Probabilities!["1"], 4);
        }
        // Encoded numbers would skip the pipeline: refused, naming what to send.
        await BadInputTests.AssertProblem(numbers, 400, "records");
    }

    [Fact]
    public async Task ABinaryClassifierWithOneOutputAnswersWithSigmoidProbabilitiesOfBothClasses()
    {
        using var server = new ServerHost();
        var (_, pipeline) = RegistryServerHost.Patients();
        TorchSharp.torch.random.manual_seed(7);
        using var model = new Sequential(pipeline.FeatureCount) { new Dense(1) };
        TestModels.WriteRun(Path.Combine(server.ModelsPath, "binary"), model, pipeline: pipeline);
        using var client = server.Client();
        const string record = """{ "record": { "age": 50, "color": "green", "dose": 1.5 } }""";

        var response = await client.PostAsync("/v1/models/binary/predict", new StringContent(record, Encoding.UTF8, "application/json"));
        var metadata = (await client.GetFromJsonAsync<ModelMetadata>("/v1/models/binary"))!;

        var item = (await response.Content.ReadFromJsonAsync<PredictResponse>())!.Predictions.Single();
        using var document = JsonDocument.Parse(record);
        using var features = pipeline.Transform(document.RootElement.GetProperty("record"));
        var logit = TestModels.Reference(model, features.data<float>().ToArray()).Single();
        var p = (float)(1 / (1 + Math.Exp(-logit)));
        Assert.Equal(p, item.Probabilities!["1"], 4);
        Assert.Equal(1 - p, item.Probabilities["0"], 4);
        Assert.Equal(p >= 0.5 ? (1, "1") : (0, "0"), (item.Class!.Value, item.Label));
        Assert.Equal(PredictionTask.Classification, metadata.Task);
        Assert.Equal(["0", "1"], metadata.Labels);
    }

    [Fact]
    public async Task ARegressionModelAnswersWithValuesNamedAfterItsLabelOrNumbered()
    {
        using var server = new ServerHost();
        var (table, _) = RegistryServerHost.Patients();
        var pipeline = PreprocessingPipeline.Fit(table, new PreprocessingOptions { LabelColumn = "age", LabelKind = LabelKind.Value });
        TorchSharp.torch.random.manual_seed(8);
        using var named = new Sequential(pipeline.FeatureCount) { new Dense(1) };
        using var unnamed = new Sequential(4) { new Dense(1) };
        TestModels.WriteRun(Path.Combine(server.ModelsPath, "age"), named, pipeline: pipeline);
        TestModels.WriteRun(Path.Combine(server.ModelsPath, "plain"), unnamed);
        using var client = server.Client();
        const string record = """{ "record": { "color": "red", "dose": 2, "outcome": 1 } }""";

        var byLabel = await client.PostAsync("/v1/models/age/predict", new StringContent(record, Encoding.UTF8, "application/json"));
        var numbered = await client.PostAsJsonAsync("/v1/models/plain/predict", new { input = new[] { 1f, 2f, 3f, 4f } });

        var item = (await byLabel.Content.ReadFromJsonAsync<PredictResponse>())!.Predictions.Single();
        using var document = JsonDocument.Parse(record);
        using var features = pipeline.Transform(document.RootElement.GetProperty("record"));
        Assert.Equal(TestModels.Reference(named, features.data<float>().ToArray()).Single(), item.Values!["age"], 4);
        Assert.Null(item.Label);
        Assert.Null(item.Probabilities);
        var plain = (await numbered.Content.ReadFromJsonAsync<PredictResponse>())!.Predictions.Single();
        Assert.Equal(TestModels.Reference(unnamed, [1f, 2f, 3f, 4f]).Single(), plain.Values!["output0"], 4);
    }

    internal static float[] Softmax(float[] logits)
    {
        var exp = logits.Select(l => Math.Exp(l - logits.Max())).ToArray();
        return exp.Select(e => (float)(e / exp.Sum())).ToArray();
    }

    [Fact]
    public async Task RecordsWithFeatureNamesGiveTheSameOutputsAsTheSameValuesAsAnArray()
    {
        using var server = new ServerHost();
        using var client = server.Client();

        var asArray = await client.PostAsJsonAsync("/v1/models/iris/predict", new { input = new[] { 5.1f, 3.5f, 1.4f, 0.2f } });
        var asRecord = await client.PostAsJsonAsync("/v1/models/iris/predict",
            new { record = new Dictionary<string, double> { ["sepal_length"] = 5.1, ["sepal_width"] = 3.5, ["petal_length"] = 1.4, ["petal_width"] = 0.2 } });

        var a = (await asArray.Content.ReadFromJsonAsync<PredictResponse>())!;
        var r = (await asRecord.Content.ReadFromJsonAsync<PredictResponse>())!;
        Assert.Equal(a.Predictions[0].Probabilities, r.Predictions[0].Probabilities);
    }

    [Fact]
    public async Task AnExplicitVersionIsServedAndNamedInTheAnswer()
    {
        using var server = new ServerHost();
        using var client = server.Client();

        var response = await client.PostAsJsonAsync("/v1/models/iris/predict?version=2", new { inputs = new[] { new[] { 5f, 3f, 1f, 0f } } });

        Assert.Equal("2", (await response.Content.ReadFromJsonAsync<PredictResponse>())!.Version);
    }

    [Fact]
    public async Task ImageModelsTakeNestedTensorsAndBase64Pixels()
    {
        using var server = new ServerHost();
        using var client = server.Client();
        var pixels = Enumerable.Range(0, 64).Select(i => (byte)(i * 4)).ToArray();
        var nested = new float[1][][];
        nested[0] = Enumerable.Range(0, 8).Select(r => Enumerable.Range(0, 8).Select(c => pixels[r * 8 + c] / 255f).ToArray()).ToArray();

        var fromTensor = await client.PostAsJsonAsync("/v1/models/digits/predict?outputs=raw", new { inputs = new[] { nested } });
        var fromImage = await client.PostAsJsonAsync("/v1/models/digits/predict?outputs=raw", new { images = new[] { Convert.ToBase64String(pixels) } });

        Assert.Equal(HttpStatusCode.OK, fromTensor.StatusCode);
        var expected = TestModels.Reference(server.Digits, pixels.Select(p => p / 255f).ToArray());
        var tensorOut = (await fromTensor.Content.ReadFromJsonAsync<PredictResponse>())!.Predictions[0].Outputs!;
        var imageOut = (await fromImage.Content.ReadFromJsonAsync<PredictResponse>())!.Predictions[0].Outputs!;
        for (var j = 0; j < 2; j++)
        {
            Assert.Equal(expected[j], tensorOut[j], 4);
            Assert.Equal(expected[j], imageOut[j], 4);
        }
    }

    [Fact]
    public async Task APngImageGivesTheSameOutputsAsItsRawPixelsAndAWrongSizeIsRefused()
    {
        using var server = new ServerHost();
        using var client = server.Client();
        var pixels = Enumerable.Range(0, 64).Select(i => (byte)(255 - i * 3)).ToArray();

        var fromPng = await client.PostAsJsonAsync("/v1/models/digits/predict?outputs=raw", new { image = Convert.ToBase64String(Png(pixels, 8)) });
        var fromRaw = await client.PostAsJsonAsync("/v1/models/digits/predict?outputs=raw", new { image = Convert.ToBase64String(pixels) });
        var tooBig = await client.PostAsJsonAsync("/v1/models/digits/predict", new { image = Convert.ToBase64String(Png(new byte[256], 16)) });

        Assert.Equal(HttpStatusCode.OK, fromPng.StatusCode);
        Assert.Equal((await fromRaw.Content.ReadFromJsonAsync<PredictResponse>())!.Predictions[0].Outputs, (await fromPng.Content.ReadFromJsonAsync<PredictResponse>())!.Predictions[0].Outputs);
        await BadInputTests.AssertProblem(tooBig, 400, "16×16 image; this model takes 8×8");
    }

    private static byte[] Png(byte[] grayPixels, int size)
    {
        using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(size, size, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(grayPixels, 0, bitmap.GetPixels(), grayPixels.Length);
        using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    [Fact]
    public async Task ListsModelsAndDescribesAVersionsInputSchema()
    {
        using var server = new ServerHost();
        using var client = server.Client();

        var models = (await client.GetFromJsonAsync<ModelSummary[]>("/v1/models"))!;
        var iris = (await client.GetFromJsonAsync<ModelMetadata>("/v1/models/iris?version=2"))!;

        Assert.Equal(["digits", "iris"], models.Select(m => m.Name));
        Assert.Equal("2", iris.Version);
        Assert.Equal([4L], iris.Input.Shape);
        Assert.Equal("sepal_length", iris.Input.FeatureNames![0]);
        Assert.Equal([3L], iris.OutputShape);
        Assert.Equal(PredictionTask.Classification, iris.Task);
        Assert.Equal(ServerHost.IrisClasses, iris.Labels);
        Assert.Contains("records", iris.ExampleRequest);
    }
}

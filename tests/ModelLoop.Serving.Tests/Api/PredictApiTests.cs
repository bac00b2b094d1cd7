using System.Net;
using System.Net.Http.Json;
using ModelLoop.Serving.Api;

namespace ModelLoop.Serving.Tests.Api;

public sealed class PredictApiTests
{
    [Fact]
    public async Task PredictsABatchOfTensorsLikeTheModelWithServerSideStandardization()
    {
        using var server = new ServerHost();
        using var client = server.Client();
        float[][] raw = [[5.1f, 3.5f, 1.4f, 0.2f], [6.7f, 3.0f, 5.2f, 2.3f]];

        var response = await client.PostAsJsonAsync("/v1/models/iris/predict", new { inputs = raw });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
        Assert.Equal("1", body.Version);
        Assert.Equal(2, body.Outputs.Length);
        float[] mean = [5.8f, 3f, 3.7f, 1.2f], std = [0.8f, 0.4f, 1.8f, 0.8f];
        for (var i = 0; i < raw.Length; i++)
        {
            var expected = TestModels.Reference(server.Iris1, raw[i].Select((v, j) => (v - mean[j]) / std[j]).ToArray());
            for (var j = 0; j < 3; j++)
                Assert.Equal(expected[j], body.Outputs[i][j], 4);
            Assert.Equal(Array.IndexOf(expected, expected.Max()), body.Classes![i]);
        }
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
        Assert.Equal(a.Outputs[0], r.Outputs[0]);
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

        var fromTensor = await client.PostAsJsonAsync("/v1/models/digits/predict", new { inputs = new[] { nested } });
        var fromImage = await client.PostAsJsonAsync("/v1/models/digits/predict", new { images = new[] { Convert.ToBase64String(pixels) } });

        Assert.Equal(HttpStatusCode.OK, fromTensor.StatusCode);
        var expected = TestModels.Reference(server.Digits, pixels.Select(p => p / 255f).ToArray());
        var tensorOut = (await fromTensor.Content.ReadFromJsonAsync<PredictResponse>())!.Outputs[0];
        var imageOut = (await fromImage.Content.ReadFromJsonAsync<PredictResponse>())!.Outputs[0];
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

        var fromPng = await client.PostAsJsonAsync("/v1/models/digits/predict", new { image = Convert.ToBase64String(Png(pixels, 8)) });
        var fromRaw = await client.PostAsJsonAsync("/v1/models/digits/predict", new { image = Convert.ToBase64String(pixels) });
        var tooBig = await client.PostAsJsonAsync("/v1/models/digits/predict", new { image = Convert.ToBase64String(Png(new byte[256], 16)) });

        Assert.Equal(HttpStatusCode.OK, fromPng.StatusCode);
        Assert.Equal((await fromRaw.Content.ReadFromJsonAsync<PredictResponse>())!.Outputs[0], (await fromPng.Content.ReadFromJsonAsync<PredictResponse>())!.Outputs[0]);
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
        Assert.Contains("records", iris.ExampleRequest);
    }
}

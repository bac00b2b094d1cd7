using System.Text.Json;
using ModelLoop.Data;
using ModelLoop.Privacy.Features;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.Tests.Features;

public sealed class ScatteringTransformTests
{
    // Written by Fixtures/Features/scattering_fixture.py, an independent NumPy implementation (full-resolution low-pass).
    private static readonly JsonElement[] Cases = [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Features", "scattering_fixture.json")))
        .RootElement.GetProperty("cases").EnumerateArray()];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Coefficients_match_the_NumPy_reference(int index)
    {
        var c = Cases[index];
        var inputShape = c.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var input = c.GetProperty("input").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var expected = c.GetProperty("output").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var expectedShape = c.GetProperty("output_shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        using var scattering = new ScatteringTransform((int)inputShape[2], (int)inputShape[3], c.GetProperty("J").GetInt32(), c.GetProperty("L").GetInt32());
        using var images = tensor(input, inputShape);
        using var output = scattering.Transform(images);

        Assert.Equal(expectedShape, output.shape);
        Assert.Equal(expectedShape[1..], scattering.OutputShape((int)inputShape[1]).ToArray());
        var actual = output.to(float64).data<double>().ToArray();
        var scale = expected.Max(Math.Abs);
        var worst = actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
        Assert.True(worst < 1e-5 * scale, $"largest difference {worst:G3} against coefficients up to {scale:G3}");
    }

    [Fact]
    public void Every_wavelet_has_zero_mean_and_the_low_pass_keeps_the_mean()
    {
        using var lowPass = MorletFilters.LowPass(36, 36, 2);
        Assert.Equal(1.0, lowPass[0, 0].item<float>(), 6);
        for (var j = 0; j < 2; j++)
        {
            using var psi = MorletFilters.Wavelets(36, 36, j, 8);
            var peak = psi.abs().max().item<float>();
            Assert.True(peak > 0.5, $"scale {j}: peak {peak}");
            for (var l = 0; l < 8; l++)
                Assert.True(Math.Abs(psi[l, 0, 0].item<float>()) < 1e-6 * peak, $"scale {j}, orientation {l}: DC {psi[l, 0, 0].item<float>():G3}");
        }
    }

    [Fact]
    public void A_constant_image_has_only_low_pass_energy()
    {
        // Wavelets have zero mean, so every first- and second-order coefficient of a constant image vanishes and S0 is the constant.
        using var scattering = new ScatteringTransform(28, 28);
        using var images = full(2, 1, 28, 28, 0.7f);
        using var output = scattering.Transform(images);
        Assert.Equal(0.7, output[.., 0].mean().item<float>(), 5);
        Assert.True(output[.., 1..].abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void A_dataset_keeps_its_labels_and_gets_81_channels_of_7_by_7()
    {
        using var features = randn(5, 1, 28, 28);
        using var labels = arange(5);
        using var data = new TensorDataset(features, labels);
        using var scattering = new ScatteringTransform(28, 28);
        using var transformed = scattering.Transform(data, batchSize: 2);
        Assert.Equal([5L, 81, 7, 7], transformed.Features.shape);
        Assert.Equal(labels.data<long>().ToArray(), transformed.Labels.data<long>().ToArray());
        using var one = scattering.Transform(features[3..4]);
        Assert.True(one.allclose(transformed.Features[3..4], rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void A_size_that_is_not_a_multiple_of_2_to_the_J_is_refused_with_the_sizes()
    {
        var error = Assert.Throws<ArgumentException>(() => new ScatteringTransform(30, 28));
        Assert.Contains("30×28", error.Message);
        Assert.Contains("multiples of 4", error.Message);
    }
}

using ModelLoop.Data.Readers;
using SkiaSharp;

namespace ModelLoop.Tests.Data.Readers;

public sealed class ImageFolderTests : IDisposable
{
    private readonly IdxFiles _files = new();

    public void Dispose() => _files.Dispose();

    private void WritePng(string relative, int side, SKColor color)
    {
        var path = _files.PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(side, side, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        bitmap.Erase(color);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void ClassFoldersBecomeLabelsInNameOrderAndPixelsBecomeChannelsFirstFloats()
    {
        WritePng("pets/dog/1.png", 4, new SKColor(255, 0, 0));
        WritePng("pets/cat/1.png", 4, new SKColor(0, 0, 255));
        WritePng("pets/cat/2.png", 8, new SKColor(0, 255, 0));   // resized to 4×4

        using var loaded = ImageFolder.Load(_files.PathOf("pets"), 4, 4);

        Assert.Equal(["cat", "dog"], loaded.Classes);
        Assert.Equal([0L, 0, 1], loaded.Data.Labels.data<long>().ToArray());
        Assert.Equal([3L, 3, 4, 4], loaded.Data.Features.shape);
        Assert.Equal(1f, loaded.Data.Features[0, 2, 0, 0].item<float>());   // blue cat
        Assert.Equal(1f, loaded.Data.Features[1, 1, 3, 3].item<float>());   // green cat, resized
        Assert.Equal(1f, loaded.Data.Features[2, 0, 2, 1].item<float>());   // red dog
        Assert.Equal(0f, loaded.Data.Features[2, 1, 2, 1].item<float>());
    }

    [Fact]
    public void GrayscaleGivesOneLumaChannel()
    {
        WritePng("g/a/1.png", 2, new SKColor(255, 255, 255));

        using var loaded = ImageFolder.Load(_files.PathOf("g"), 2, 2, grayscale: true);

        Assert.Equal([1L, 1, 2, 2], loaded.Data.Features.shape);
        Assert.Equal(1f, loaded.Data.Features[0, 0, 1, 1].item<float>());
    }

    [Fact]
    public void AFileThatIsNotAnImageIsAnErrorNamingIt()
    {
        WritePng("x/a/good.png", 2, SKColors.Black);
        File.WriteAllText(_files.PathOf("x/a/broken.png"), "not a png");

        var error = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_files.PathOf("x"), 2, 2));

        Assert.Contains("broken.png", error.Message);
        Assert.Contains("could not be decoded", error.Message);
    }
}

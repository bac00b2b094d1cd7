using System.Buffers.Binary;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;
using ModelLoop.Artifacts;

namespace ModelLoop.Tests.Artifacts;

public sealed class SafeTensorsTests
{
    [Fact]
    public void AFileWrittenByHandToTheSpecificationReadsBackItsValues()
    {
        // The format by its specification: u64 LE header length, JSON header, raw little-endian data.
        var header = Encoding.UTF8.GetBytes("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[1,1],"data_offsets":[8,16]},"__metadata__":{"k":"v"}}""");
        var bytes = new byte[8 + header.Length + 16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + header.Length), 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(12 + header.Length), -2f);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16 + header.Length), 42);

        var (tensors, metadata) = SafeTensors.Deserialize(bytes);

        Assert.Equal([1.5f, -2f], tensors["a"].data<float>().ToArray());
        Assert.Equal([1L, 1L], tensors["b"].shape);
        Assert.Equal(42L, tensors["b"].item<long>());
        Assert.Equal("v", metadata["k"]);
        foreach (var t in tensors.Values)
            t.Dispose();
    }

    [Fact]
    public void EveryDTypeSurvivesARoundTripBitForBit()
    {
        using var generator = new Generator().manual_seed(1);
        using var f = randn([3, 4], generator: generator);
        var inputs = new Dictionary<string, Tensor>
        {
            ["f32"] = f,
            ["f64"] = f.to_type(ScalarType.Float64),
            ["f16"] = f.to_type(ScalarType.Float16),
            ["bf16"] = f.to_type(ScalarType.BFloat16),
            ["i64"] = arange(12).reshape(3, 4),
            ["i32"] = arange(5, ScalarType.Int32),
            ["u8"] = arange(7, ScalarType.Byte),
            ["bool"] = f > 0,
            ["scalar"] = tensor(3.25f),
        };

        var bytes = SafeTensors.Serialize(inputs);
        var (read, _) = SafeTensors.Deserialize(bytes);

        Assert.Equal(0, (int)(BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8)); // data aligned to 8 bytes
        foreach (var (name, tensor) in inputs)
        {
            Assert.Equal(tensor.dtype, read[name].dtype);
            Assert.Equal(tensor.shape, read[name].shape);
            Assert.Equal(tensor.contiguous().bytes.ToArray(), read[name].bytes.ToArray());
            read[name].Dispose();
        }
    }

    [Fact]
    public void ATruncatedFileIsRefusedWithItsName()
    {
        using var t = ones(10);
        var bytes = SafeTensors.Serialize([new("w", t)]);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Deserialize(bytes.AsSpan(0, bytes.Length - 4), "weights.safetensors"));

        Assert.Contains("weights.safetensors", error.Message);
        Assert.Contains("'w'", error.Message);
    }

    [Fact]
    public void CorruptedBytesAnywhereEitherReadOrFailAsInvalidDataNeverWithAnotherError()
    {
        using var a = ones(3, 2);
        using var b = arange(4);
        var original = SafeTensors.Serialize([new("a", a), new("b", b)]);
        var random = new Random(11);
        for (var trial = 0; trial < 500; trial++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            try
            {
                var (tensors, _) = SafeTensors.Deserialize(bytes, "fuzz");
                foreach (var t in tensors.Values)
                    t.Dispose();
            }
            catch (InvalidDataException)
            {
                // the expected way to refuse a corrupt file
            }
        }
    }

    [Fact]
    public void AHeaderLengthBeyondTheFileIsRefused()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1_000);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Deserialize(bytes, "x.safetensors"));

        Assert.Contains("1000-byte header", error.Message);
    }
}

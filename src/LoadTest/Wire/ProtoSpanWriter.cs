using System.Buffers.Text;

namespace ImOrleans.LoadTest.Wire;

/// <summary>Writes protobuf fields into a span; the counterpart of <see cref="ProtoSpanReader"/> for the send path.</summary>
internal ref struct ProtoSpanWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;

    public int Written { get; private set; }

    public static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _destination[Written++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _destination[Written++] = (byte)value;
    }

    public void WriteTag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    public void WriteVarintField(int field, ulong value)
    {
        WriteTag(field, ProtoSpanReader.Varint);
        WriteVarint(value);
    }

    public void WriteBytesField(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, ProtoSpanReader.LengthDelimited);
        WriteVarint((ulong)value.Length);
        value.CopyTo(_destination[Written..]);
        Written += value.Length;
    }

    /// <summary>Field <paramref name="field"/> as ASCII: <paramref name="prefix"/> then <paramref name="number"/> in decimal.</summary>
    public void WritePrefixedNumberField(int field, ReadOnlySpan<byte> prefix, long number)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(number, digits, out var count);
        WriteTag(field, ProtoSpanReader.LengthDelimited);
        WriteVarint((ulong)(prefix.Length + count));
        prefix.CopyTo(_destination[Written..]);
        Written += prefix.Length;
        digits[..count].CopyTo(_destination[Written..]);
        Written += count;
    }

    /// <summary>
    /// A string field of exactly <paramref name="length"/> ASCII bytes: the stamp as 16 hex digits, then filler.
    /// The stamp is what the receiver measures latency from.
    /// </summary>
    public void WriteStampedField(int field, long stamp, int length)
    {
        WriteTag(field, ProtoSpanReader.LengthDelimited);
        WriteVarint((ulong)length);
        var body = _destination.Slice(Written, length);
        Utf8Formatter.TryFormat(stamp, body, out _, new System.Buffers.StandardFormat('X', MessageStamp.Digits));
        body[MessageStamp.Digits..].Fill((byte)'.');
        Written += length;
    }
}

using System.Runtime.CompilerServices;

namespace ImOrleans.LoadTest.Wire;

/// <summary>
/// Reads protobuf fields straight off a frame body, without building message objects: the load tester needs a
/// handful of fields of every push (conversation, seq, sender, content) and must not allocate per message.
/// Malformed input throws <see cref="FormatException"/>.
/// </summary>
internal ref struct ProtoSpanReader(ReadOnlySpan<byte> data)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public bool TryReadTag(out int field, out int wireType)
    {
        if (_position >= _data.Length)
        {
            field = wireType = 0;
            return false;
        }

        var tag = ReadVarint();
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new FormatException("truncated varint");
            }

            var b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new FormatException("varint too long");
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw new FormatException("length past the end of the message");
        }

        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Advance(8);
                break;
            case LengthDelimited:
                ReadLengthDelimited();
                break;
            case Fixed32:
                Advance(4);
                break;
            default:
                throw new FormatException($"unsupported wire type {wireType}");
        }
    }

    private void Advance(int count)
    {
        if (_position + count > _data.Length)
        {
            throw new FormatException("truncated field");
        }

        _position += count;
    }
}

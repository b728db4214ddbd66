using System.Text;
using System.Text.Json;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

/// <summary>
/// What makes a message of each type (R18) acceptable; documented in docs/protocol.md ("Message types"). A message
/// that breaks a rule is refused with InvalidArgument and not stored.
/// </summary>
internal static class MessageRules
{
    public const int MaxClientMsgIdLength = 64;
    public const int MaxAttachments = 9;
    public const int MaxUrlLength = 2048;
    public const int MaxAttachmentFieldLength = 256;

    public static void Validate(OutgoingMessage? message, int maxContentBytes)
    {
        if (message is null)
        {
            throw Invalid("message is required");
        }

        if (string.IsNullOrEmpty(message.ClientMsgId) || message.ClientMsgId.Length > MaxClientMsgIdLength)
        {
            throw Invalid($"client_msg_id must be 1-{MaxClientMsgIdLength} characters");
        }

        if (message.Type is MessageType.Unspecified or MessageType.Revoke or MessageType.GroupEvent || !Enum.IsDefined(message.Type))
        {
            throw Invalid("type is not a message type a client may send");
        }

        var content = message.Content ?? "";
        if (Encoding.UTF8.GetByteCount(content) > maxContentBytes)
        {
            throw Invalid($"content is larger than {maxContentBytes} bytes");
        }

        var attachments = message.Attachments ?? [];
        ValidateAttachments(attachments);
        switch (message.Type)
        {
            case MessageType.Text or MessageType.ChannelNotice when content.Length == 0:
                throw Invalid($"a {Name(message.Type)} message needs content");
            case MessageType.Voice when attachments.Count != 1:
                throw Invalid("a voice message needs exactly one attachment (the recording)");
            case MessageType.Image or MessageType.Video or MessageType.File when attachments.Count == 0:
                throw Invalid($"a {Name(message.Type)} message needs at least one attachment");
            case MessageType.Location:
                ValidateLocation(content);
                break;
            case MessageType.Card:
                ValidateCard(content);
                break;
        }
    }

    private static void ValidateAttachments(IReadOnlyList<AttachmentInfo> attachments)
    {
        if (attachments.Count > MaxAttachments)
        {
            throw Invalid($"at most {MaxAttachments} attachments");
        }

        foreach (var a in attachments)
        {
            var url = a.Url ?? "";
            if (url.Length is 0 or > MaxUrlLength
                || !(url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)))
            {
                throw Invalid($"an attachment needs an http(s) url of at most {MaxUrlLength} characters");
            }

            if ((a.Id ?? "").Length > MaxAttachmentFieldLength || (a.Name ?? "").Length > MaxAttachmentFieldLength
                || (a.Type ?? "").Length > MaxAttachmentFieldLength)
            {
                throw Invalid($"attachment id, name and type are at most {MaxAttachmentFieldLength} characters");
            }

            if (a.Size < 0)
            {
                throw Invalid("attachment size must not be negative");
            }
        }
    }

    /// <summary>Location: a JSON object with numbers "lat" (-90..90) and "lng" (-180..180); other fields are free.</summary>
    private static void ValidateLocation(string content)
    {
        using var json = ParseObject(content, "location", "{\"lat\":..,\"lng\":..}");
        var root = json.RootElement;
        if (!TryNumber(root, "lat", out var lat) || lat is < -90 or > 90 || !TryNumber(root, "lng", out var lng) || lng is < -180 or > 180)
        {
            throw Invalid("a location needs numbers lat (-90..90) and lng (-180..180)");
        }
    }

    /// <summary>Card: a JSON object naming a valid "userId" (a contact card) or "groupId" (a group card).</summary>
    private static void ValidateCard(string content)
    {
        using var json = ParseObject(content, "card", "{\"userId\":..} or {\"groupId\":..}");
        var root = json.RootElement;
        var user = root.TryGetProperty("userId", out var u) && u.ValueKind == JsonValueKind.String && Identifiers.IsValidUserId(u.GetString());
        var group = root.TryGetProperty("groupId", out var g) && g.ValueKind == JsonValueKind.String && Identifiers.IsValidGroupId(g.GetString());
        if (!user && !group)
        {
            throw Invalid("a card needs a valid userId or groupId");
        }
    }

    private static JsonDocument ParseObject(string content, string what, string shape)
    {
        try
        {
            var json = JsonDocument.Parse(content);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                return json;
            }

            json.Dispose();
        }
        catch (JsonException)
        {
            // Reported below, with the shape expected.
        }

        throw Invalid($"a {what} message's content must be a JSON object {shape}");
    }

    private static bool TryNumber(JsonElement root, string name, out double value)
    {
        value = 0;
        return root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out value);
    }

    private static string Name(MessageType type) => type.ToString().ToLowerInvariant();

    private static RequestRejectedException Invalid(string reason) => new(ErrorCode.InvalidArgument, reason);
}

using System.Text.Encodings.Web;
using System.Text.Json;
using SocketGateway.Core.Events;

namespace SocketGateway.Core.Protocol;

/// <summary>Renders events in the line protocol's json format: the hub's payload shapes, one object a line.</summary>
public static class JsonEventWriter
{
    /// <summary>The serializer settings of every JSON the gateway writes: camelCase, text kept as sent.</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions());

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        return options;
    }

    public static byte[] Encode(ChatEvent evt)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(evt, evt.GetType(), Options);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }
}

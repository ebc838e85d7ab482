namespace SocketGateway.Core.Protocol;

/// <summary>
/// Removes telnet negotiation (RFC 854) from a byte stream so that it never reaches the line decoder, let alone
/// another user: IAC commands, option requests (WILL/WONT/DO/DONT x) and sub-negotiations (IAC SB … IAC SE) are
/// consumed; IAC IAC is a literal 0xFF byte, and so is an IAC before a byte that is no command (which keeps invalid
/// UTF-8 invalid). A CR or LF is never taken as an option byte: a raw client's line that ends in <c>FF FE</c> still
/// ends there (the IAC, the verb and the line end are data, and the line is refused as invalid UTF-8).
/// With <c>offerBinary</c>, TRANSMIT-BINARY (RFC 856) is offered both ways on the first telnet sequence, and the
/// client's DO and WILL BINARY are its agreement (not answered): without it a telnet client takes UTF-8
/// continuation bytes for its own control characters. Every other DO is
/// answered WONT and every other WILL DONT (each option once, so a flood of requests cannot make the server flood
/// back), collected in <see cref="TakeReplies"/>. A sub-negotiation is bounded: after
/// <see cref="MaxSubnegotiationBytes"/> bytes without IAC SE it is abandoned and what follows is data again. The
/// state carries over between calls, so any segmentation gives the same output.
/// </summary>
public sealed class TelnetFilter(bool offerBinary = false)
{
    public const byte Iac = 255;
    public const byte Dont = 254;
    public const byte Do = 253;
    public const byte Wont = 252;
    public const byte Will = 251;
    public const byte Sb = 250;
    public const byte Se = 240;
    public const byte Binary = 0;
    public const int MaxSubnegotiationBytes = 1024;

    // Both made on the first option request: most connections never send one.
    private bool[]? _refused;
    private List<byte>? _replies;
    private State _state;
    private byte _verb;
    private int _subnegotiationBytes;
    private bool _binaryOffered;

    private enum State
    {
        Data,
        Command,
        Option,
        SubnegotiationOption,
        Subnegotiation,
        SubnegotiationIac,
    }

    /// <summary>Negotiation sequences consumed so far (for logs and tests).</summary>
    public long Consumed { get; private set; }

    /// <summary>Whether the client has sent a telnet sequence yet (an IAC before a byte that is no command is not one).</summary>
    public bool SpokeTelnet => Consumed > 0;

    /// <summary>The client agreed to send binary (IAC WILL BINARY after the offer): its bytes arrive unchanged.</summary>
    public bool ClientSendsBinary { get; private set; }

    /// <summary>The client refused binary (IAC DONT or WONT BINARY): it may go on changing non-ASCII input.</summary>
    public bool BinaryRefused { get; private set; }


    /// <summary>
    /// Copies the data bytes of <paramref name="input"/> to <paramref name="output"/>, which must be two bytes longer
    /// (an IAC and a verb held back from the previous call may turn out to be data); returns how many were written.
    /// </summary>
    public int Filter(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < input.Length + 2)
        {
            throw new ArgumentException("the output must be two bytes longer than the input", nameof(output));
        }

        // The common case: plain text (valid UTF-8 never contains 0xFF).
        if (_state == State.Data && !input.Contains(Iac))
        {
            input.CopyTo(output);
            return input.Length;
        }

        var written = 0;
        foreach (var b in input)
        {
            switch (_state)
            {
                case State.Data when b == Iac:
                    _state = State.Command;
                    break;
                case State.Data:
                    output[written++] = b;
                    break;
                case State.Command when b < Se:
                    // Not a telnet command: the 0xFF was data (and makes the line invalid UTF-8, refused as such).
                    output[written++] = Iac;
                    output[written++] = b;
                    _state = State.Data;
                    break;
                case State.Command:
                    _state = b switch
                    {
                        Iac => State.Data,
                        Will or Wont or Do or Dont => State.Option,
                        Sb => State.SubnegotiationOption,
                        _ => State.Data,
                    };
                    if (b == Iac)
                    {
                        output[written++] = Iac;
                    }
                    else if (b is not (Will or Wont or Do or Dont or Sb))
                    {
                        Consume();
                    }

                    _verb = b;
                    _subnegotiationBytes = 0;
                    break;
                case State.Option or State.SubnegotiationOption when b is (byte)'\r' or (byte)'\n':
                    // Not telnet: a line end always ends the line, so the IAC and its verb were data.
                    output[written++] = Iac;
                    output[written++] = _verb;
                    output[written++] = b;
                    _state = State.Data;
                    break;
                case State.Option:
                    Consume();
                    Answer(_verb, b);
                    _state = State.Data;
                    break;
                case State.SubnegotiationOption:
                    _state = CountSubnegotiationByte();
                    break;
                case State.Subnegotiation:
                    _state = b == Iac ? State.SubnegotiationIac : CountSubnegotiationByte();
                    break;
                case State.SubnegotiationIac:
                    // IAC IAC inside SB is an escaped data byte of the sub-negotiation.
                    _state = b == Se ? EndSubnegotiation() : CountSubnegotiationByte();
                    break;
            }
        }

        return written;
    }

    /// <summary>The refusals owed to the client since the last call (IAC WONT x for DO x, IAC DONT x for WILL x).</summary>
    public byte[] TakeReplies()
    {
        if (_replies is not { Count: > 0 })
        {
            return [];
        }

        var replies = _replies.ToArray();
        _replies.Clear();
        return replies;
    }

    // The first sequence shows the client speaks telnet: a raw client whose line merely holds 0xFF is offered nothing.
    private void Consume()
    {
        if (Consumed++ == 0 && offerBinary)
        {
            _binaryOffered = true;
            _replies ??= [];
            _replies.AddRange([Iac, Will, Binary, Iac, Do, Binary]);
        }
    }

    // WONT/DONT requests already describe the state we are in: answering them could start a loop (RFC 854).
    private void Answer(byte verb, byte option)
    {
        if (option == Binary && _binaryOffered)
        {
            ClientSendsBinary |= verb == Will;
            BinaryRefused |= verb is Wont or Dont;
            return;
        }

        var (answer, slot) = verb switch
        {
            Do => (Wont, option),
            Will => (Dont, option + 256),
            _ => ((byte)0, -1),
        };
        if (slot < 0 || (_refused ??= new bool[512])[slot])
        {
            return;
        }

        _refused[slot] = true;
        _replies ??= [];
        _replies.Add(Iac);
        _replies.Add(answer);
        _replies.Add(option);
    }

    private State CountSubnegotiationByte() =>
        ++_subnegotiationBytes > MaxSubnegotiationBytes ? EndSubnegotiation() : State.Subnegotiation;

    private State EndSubnegotiation()
    {
        Consume();
        _subnegotiationBytes = 0;
        return State.Data;
    }
}

using System.Reflection;
using System.Reflection.Emit;

namespace CertDaemon.Tests.Architecture;

/// <summary>
/// Reads which CertDaemon types each CertDaemon type uses, from the compiled assembly: base type, interfaces,
/// attributes, fields, properties, method signatures, locals, and every type, method and field token in method bodies
/// (so a <c>new X()</c> or a call to a static helper counts, not only signatures). Nested and compiler-generated types
/// (lambdas, async state machines) are attributed to the outermost type that declares them.
/// </summary>
internal static class TypeReferenceReader
{
    private const BindingFlags Everything =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OneByte = [];
    private static readonly Dictionary<short, OpCode> TwoByte = [];

    static TypeReferenceReader()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            if (code.Size == 1)
            {
                OneByte[code.Value] = code;
            }
            else
            {
                TwoByte[(short)(code.Value & 0xFF)] = code;
            }
        }
    }

    /// <summary>Every (user, used) pair of outermost CertDaemon types, user ≠ used.</summary>
    public static IReadOnlyList<TypeReference> Read(Assembly assembly, string rootNamespace)
    {
        var found = new HashSet<TypeReference>();
        foreach (var type in assembly.GetTypes())
        {
            var from = Outermost(type);
            if (!InRoot(from, rootNamespace))
            {
                continue;
            }

            foreach (var used in UsedBy(type))
            {
                foreach (var leaf in Flatten(used))
                {
                    var to = Outermost(leaf);
                    if (to != from && InRoot(to, rootNamespace))
                    {
                        found.Add(new TypeReference(from, to));
                    }
                }
            }
        }

        return [.. found];
    }

    private static bool InRoot(Type type, string rootNamespace) =>
        type.Namespace is { } ns && (ns == rootNamespace || ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal));

    private static Type Outermost(Type type)
    {
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            type = type.GetGenericTypeDefinition();
        }

        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var inner in Flatten(type.GetElementType()!))
            {
                yield return inner;
            }

            yield break;
        }

        if (type.IsGenericParameter)
        {
            yield break;
        }

        yield return type;
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                foreach (var inner in Flatten(argument))
                {
                    yield return inner;
                }
            }
        }
    }

    private static IEnumerable<Type> UsedBy(Type type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var contract in type.GetInterfaces())
        {
            yield return contract;
        }

        foreach (var attribute in type.GetCustomAttributesData())
        {
            yield return attribute.AttributeType;
        }

        foreach (var field in type.GetFields(Everything))
        {
            yield return field.FieldType;
        }

        foreach (var property in type.GetProperties(Everything))
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            foreach (var used in UsedInBody(type, method))
            {
                yield return used;
            }
        }
    }

    private static IEnumerable<Type> UsedInBody(Type type, MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null)
        {
            yield break;
        }

        foreach (var local in body.LocalVariables)
        {
            yield return local.LocalType;
        }

        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = type.IsGenericTypeDefinition ? type.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethodDefinition ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            OpCode code;
            if (il[position] == 0xFE)
            {
                code = TwoByte[il[position + 1]];
                position += 2;
            }
            else
            {
                code = OneByte[il[position]];
                position += 1;
            }

            switch (code.OperandType)
            {
                case OperandType.InlineType:
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineTok:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, position), typeArguments, methodArguments);
                    foreach (var used in TypesOf(member))
                    {
                        yield return used;
                    }

                    position += 4;
                    break;
                case OperandType.InlineSwitch:
                    position += 4 + (4 * BitConverter.ToInt32(il, position));
                    break;
                default:
                    position += OperandSize(code.OperandType);
                    break;
            }
        }
    }

    private static IEnumerable<Type> TypesOf(MemberInfo? member)
    {
        switch (member)
        {
            case Type used:
                yield return used;
                break;
            case MethodInfo { IsGenericMethod: true } generic:
                yield return generic.DeclaringType!;
                foreach (var argument in generic.GetGenericArguments())
                {
                    yield return argument;
                }

                break;
            case { DeclaringType: { } declaring }:
                yield return declaring;
                break;
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}

/// <summary>One outermost type using another.</summary>
internal sealed record TypeReference(Type From, Type To);

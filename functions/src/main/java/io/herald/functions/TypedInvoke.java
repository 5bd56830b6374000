package io.herald.functions;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * What Lambda's Java runtime does around a typed {@link RequestHandler}: the event JSON into the
 * handler's input class and its result back to JSON, with aws-lambda-java-serialization (the
 * runtime's own copy; a provided dependency here). Event classes it knows get their mix-ins, other
 * classes its plain Jackson mapping. A class of its own so stream handlers never load it.
 */
final class TypedInvoke {
    private TypedInvoke() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void invoke(Object handler, InputStream in, OutputStream out) {
        if (!(handler instanceof RequestHandler typed)) {
            throw new IllegalArgumentException(handler.getClass().getName() + " is neither a RequestStreamHandler nor a RequestHandler");
        }
        Type[] io = types(handler.getClass());
        Object result = typed.handleRequest(serializer((Class<Object>) io[0]).fromJson(in), null);
        serializer((Class<Object>) io[1]).toJson(result, out);
    }

    private static Type[] types(Class<?> c) {
        for (Type t : c.getGenericInterfaces()) {
            if (t instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) return p.getActualTypeArguments();
        }
        throw new IllegalArgumentException(c.getName() + " must implement RequestHandler<I, O> with concrete types");
    }

    static PojoSerializer<Object> serializer(Class<Object> type) {
        return LambdaEventSerializers.isLambdaSupportedEvent(type.getName())
                ? LambdaEventSerializers.serializerFor(type, type.getClassLoader())
                : JacksonFactory.getInstance().getSerializer(type);
    }
}

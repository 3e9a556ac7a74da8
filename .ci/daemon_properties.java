// Reads, from the real jars of one KCL release (its classpath), what the MultiLangDaemon accepts in its properties
// file, and the lowest Java the jars run on; prints one JSON object on stdout. Run by .ci/classpath_sets.ts with
// Java's single-file source launcher (`java -cp <jars> .ci/daemon_properties.java <jar>...`): nothing is compiled
// into the repository. Everything is read by reflection, as the daemon itself reads the file:
// - KinesisClientLibConfigurator sets every key with BeanUtils' setProperty on a MultiLangDaemonConfiguration, so the
//   keys are that bean's writable properties (java.beans.Introspector, as BeanUtils' DefaultBeanIntrospector), typed
//   by their setter's parameter; read-only properties of the daemon's own bean types take nested `<prefix>.<key>`s;
// - MultiLangDaemonConfig reads its own keys (its PROP_* constants) from the file;
// - KCL 3's KinesisClientLibConfigurator.processKey rewrites one prefix in any case (awsCredentialsProvider);
// - an enum value is refused when the setter throws for it on a fresh configuration (e.g. AT_TIMESTAMP).
// - javaMin: the newest class-file version in the jars (module-info and META-INF/versions excluded), minus 44.

import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.io.DataInputStream;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

public class DaemonProperties {
  static final String PACKAGE = "software.amazon.kinesis.multilang.config.";

  public static void main(String[] jars) throws Exception {
    Class<?> configuration = Class.forName(PACKAGE + "MultiLangDaemonConfiguration");
    Class<?> daemonConfig = Class.forName("software.amazon.kinesis.multilang.MultiLangDaemonConfig");
    Map<String, String> delegates = delegateGroups(configuration);
    StringBuilder out = new StringBuilder("{\"properties\":[");
    List<String> prefixes = new ArrayList<>();
    boolean first = true;
    for (Field field : daemonConfig.getDeclaredFields()) {
      if (!field.getName().startsWith("PROP_") || field.getType() != String.class) continue;
      field.setAccessible(true);
      String key = (String) field.get(null);
      String type = key.equals("maxActiveThreads") ? "\"int\"" : "\"string\"";
      out.append(first ? "" : ",").append(entry(key, "MultiLangDaemonConfig", type));
      first = false;
    }
    for (PropertyDescriptor property : Introspector.getBeanInfo(configuration).getPropertyDescriptors()) {
      Method setter = property.getWriteMethod();
      Class<?> type = property.getPropertyType();
      if (setter == null) {
        if (type != null && type.getName().startsWith(PACKAGE)) prefixes.add(property.getName());
        continue;
      }
      Class<?> parameter = setter.getParameterTypes()[0];
      String group = groupOf(configuration, property.getName(), delegates);
      out.append(",").append(entry(property.getName(), group, typeOf(configuration, setter, parameter)));
    }
    out.append("],\"prefixes\":[");
    for (int i = 0; i < prefixes.size(); i++) out.append(i == 0 ? "" : ",").append(quote(prefixes.get(i)));
    // KCL 3 rewrites a key starting with awscredentialsprovider, in any case, to this spelling (processKey).
    out.append("],\"anyCasePrefixes\":[");
    try {
      Class<?> configurator = Class.forName(PACKAGE + "KinesisClientLibConfigurator");
      Method processKey = configurator.getDeclaredMethod("processKey", String.class);
      processKey.setAccessible(true);
      out.append(quote((String) processKey.invoke(configurator.getConstructor().newInstance(), "AWSCREDENTIALSPROVIDER")));
    } catch (NoSuchMethodException absent) {
      // KCL 2.x matches every key as spelt.
    }
    String[] newest = newestClassFile(jars);
    out.append("],\"javaMin\":").append(newest[0]).append(",\"javaMinJar\":").append(quote(newest[1])).append("}");
    System.out.println(out);
  }

  static String entry(String key, String group, String type) {
    return "{\"key\":" + quote(key) + ",\"group\":" + quote(group) + ",\"type\":" + type + "}";
  }

  /** The setter name -> the config bean whose delegate interface declares it. */
  static Map<String, String> delegateGroups(Class<?> configuration) {
    Map<String, String> groups = new TreeMap<>();
    for (Field field : configuration.getDeclaredFields()) {
      Class<?> bean = field.getType();
      if (!bean.getName().startsWith(PACKAGE)) continue;
      for (Class<?> inner : bean.getDeclaredClasses()) {
        if (!inner.isInterface()) continue;
        for (Method method : inner.getMethods()) groups.put(method.getName(), bean.getSimpleName());
      }
    }
    return groups;
  }

  static String groupOf(Class<?> configuration, String name, Map<String, String> delegates) {
    try {
      Field field = configuration.getDeclaredField(name);
      for (java.lang.annotation.Annotation annotation : field.getAnnotations()) {
        if (!annotation.annotationType().getSimpleName().equals("ConfigurationSettable")) continue;
        Class<?> target = (Class<?>) annotation.annotationType().getMethod("configurationClass").invoke(annotation);
        return target.getSimpleName();
      }
    } catch (ReflectiveOperationException absent) {
      // A setter without a field of its name (an alias, or a delegate's).
    }
    String setter = "set" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    return delegates.getOrDefault(setter, "MultiLangDaemonConfiguration");
  }

  static String typeOf(Class<?> configuration, Method setter, Class<?> type) throws Exception {
    if (type == String.class || type == String[].class) return "\"string\"";
    if (type == int.class || type == Integer.class) return "\"int\"";
    if (type == long.class || type == Long.class) return "\"long\"";
    if (type == double.class || type == Double.class) return "\"double\"";
    if (type == boolean.class || type == Boolean.class) return "\"boolean\"";
    if (type == java.time.Duration.class) return "\"duration\"";
    // Its converter reads epoch seconds (Long.parseLong of the value, times 1000).
    if (type.getSimpleName().equals("InitialPositionInStreamExtended")) return "\"long\"";
    if (!type.isEnum()) return "\"string\"";
    StringBuilder values = new StringBuilder("{\"enum\":[");
    StringBuilder refused = new StringBuilder("\"refused\":{");
    boolean firstValue = true;
    boolean firstRefused = true;
    for (Object constant : type.getEnumConstants()) {
      String name = ((Enum<?>) constant).name();
      String failure = trySet(configuration, setter, constant);
      if (failure == null) {
        values.append(firstValue ? "" : ",").append(quote(name));
        firstValue = false;
      } else {
        refused.append(firstRefused ? "" : ",").append(quote(name)).append(":").append(quote(failure));
        firstRefused = false;
      }
    }
    return values.append("],").append(refused).append("}}").toString();
  }

  /** null when the setter takes `value` on a fresh configuration, else the exception's message. */
  static String trySet(Class<?> configuration, Method setter, Object value) throws Exception {
    Class<?> utils = Class.forName("org.apache.commons.beanutils.BeanUtilsBean");
    Class<?> convert = Class.forName("org.apache.commons.beanutils.ConvertUtilsBean");
    Object convertBean = convert.getConstructor().newInstance();
    Object utilsBean = utils.getConstructor(convert).newInstance(convertBean);
    Object instance = configuration.getConstructor(utils, convert).newInstance(utilsBean, convertBean);
    try {
      setter.invoke(instance, value);
      return null;
    } catch (InvocationTargetException error) {
      Throwable cause = error.getCause();
      return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
  }

  /** The lowest Java major version that loads every class of the jars, and the first jar that needs it. */
  static String[] newestClassFile(String[] jars) throws Exception {
    int newest = 0;
    String newestJar = "";
    for (String jar : jars) {
      try (ZipFile zip = new ZipFile(jar)) {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
          ZipEntry entry = entries.nextElement();
          String name = entry.getName();
          if (!name.endsWith(".class") || name.endsWith("module-info.class")) continue;
          if (name.startsWith("META-INF/versions/")) continue;
          try (DataInputStream in = new DataInputStream(zip.getInputStream(entry))) {
            if (in.readInt() != 0xCAFEBABE) continue;
            in.readUnsignedShort();
            int major = in.readUnsignedShort();
            if (major > newest) {
              newest = major;
              newestJar = jar;
            }
          }
        }
      }
    }
    return new String[] {String.valueOf(newest - 44), newestJar};
  }

  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.append('"').toString();
  }
}

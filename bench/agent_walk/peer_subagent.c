/* The peer of the agent walk benchmark: a minimal net-snmp AgentX subagent that serves a fixed list
 * of instances (read from a walk of netpower-agent, so the same rows, types and values) with one
 * read-only handler per root and a sorted array: the least work a subagent can do per request, so
 * what remains is the cost of AgentX itself.
 *
 *   peer_subagent AGENTX_SOCKET WALK_FILE ROOT...
 *
 * WALK_FILE holds lines as `snmpbulkwalk -On -Oe` prints them (".1.3... = TYPE: value").
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct instance {
  oid name[MAX_OID_LEN];
  size_t len;
  u_char type;
  u_char value[256];
  size_t value_len;
};

static struct instance *instances;
static size_t count;
static volatile sig_atomic_t running = 1;

static void stop(int sig) {
  (void)sig;
  running = 0;
}

static int compare(const void *a, const void *b) {
  const struct instance *x = a, *y = b;
  return snmp_oid_compare(x->name, x->len, y->name, y->len);
}

static int parse_line(char *line, struct instance *out) {
  char *eq = strstr(line, " = ");
  if (eq == NULL) return 0;
  *eq = '\0';
  char *type = eq + 3;
  type[strcspn(type, "\n")] = '\0';
  char *colon = strstr(type, ": ");
  char empty[] = "";
  char *value = colon ? colon + 2 : empty;
  if (colon) *colon = '\0';
  if (strcmp(type, "\"\"") == 0) type = (char *)"STRING"; /* snmpwalk prints an empty one as "" */
  out->len = MAX_OID_LEN;
  if (!read_objid(line, out->name, &out->len)) return 0;
  if (strcmp(type, "STRING") == 0) {
    size_t n = strlen(value);
    if (n >= 2 && value[0] == '"') {
      value++;
      n -= 2;
    }
    if (n > sizeof out->value) n = sizeof out->value;
    memcpy(out->value, value, n);
    out->type = ASN_OCTET_STR;
    out->value_len = n;
    return 1;
  }
  if (strcmp(type, "OID") == 0) {
    oid o[MAX_OID_LEN];
    size_t n = MAX_OID_LEN;
    if (!read_objid(value, o, &n)) return 0;
    memcpy(out->value, o, n * sizeof(oid));
    out->type = ASN_OBJECT_ID;
    out->value_len = n * sizeof(oid);
    return 1;
  }
  long v = strtol(value, NULL, 10);
  if (strcmp(type, "INTEGER") == 0) out->type = ASN_INTEGER;
  else if (strcmp(type, "Gauge32") == 0) out->type = ASN_GAUGE;
  else if (strcmp(type, "Counter32") == 0) out->type = ASN_COUNTER;
  else if (strcmp(type, "Timeticks") == 0) out->type = ASN_TIMETICKS;
  else return 0;
  if (out->type == ASN_TIMETICKS && value[0] == '(') v = strtol(value + 1, NULL, 10);
  memcpy(out->value, &v, sizeof v);
  out->value_len = sizeof v;
  return 1;
}

static const struct instance *find(const oid *name, size_t len, int next) {
  size_t lo = 0, hi = count;
  while (lo < hi) { /* first instance >= name */
    size_t mid = (lo + hi) / 2;
    if (snmp_oid_compare(instances[mid].name, instances[mid].len, name, len) < 0) lo = mid + 1;
    else hi = mid;
  }
  if (lo < count && !next &&
      snmp_oid_compare(instances[lo].name, instances[lo].len, name, len) == 0)
    return &instances[lo];
  if (next && lo < count &&
      snmp_oid_compare(instances[lo].name, instances[lo].len, name, len) == 0)
    lo++;
  return next && lo < count ? &instances[lo] : NULL;
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
                   netsnmp_agent_request_info *info, netsnmp_request_info *requests) {
  (void)h;
  for (netsnmp_request_info *r = requests; r; r = r->next) {
    netsnmp_variable_list *vb = r->requestvb;
    const struct instance *in = find(vb->name, vb->name_length, info->mode == MODE_GETNEXT);
    if (in != NULL && info->mode == MODE_GETNEXT &&
        snmp_oidtree_compare(reg->rootoid, reg->rootoid_len, in->name, in->len) != 0)
      in = NULL;
    if (in == NULL) {
      if (info->mode == MODE_GET) netsnmp_set_request_error(info, r, SNMP_NOSUCHINSTANCE);
      continue; /* GETNEXT past our root: the master asks the next registration */
    }
    if (info->mode == MODE_GETNEXT) snmp_set_var_objid(vb, in->name, in->len);
    snmp_set_var_typed_value(vb, in->type, in->value, in->value_len);
  }
  return SNMP_ERR_NOERROR;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s AGENTX_SOCKET WALK_FILE ROOT...\n", argv[0]);
    return 2;
  }
  netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
  netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, argv[1]);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
  setenv("MIBS", "", 1);
  init_agent("np-bench-peer");
  netsnmp_init_mib(); /* read_objid() needs the (empty) MIB tree */

  FILE *f = fopen(argv[2], "r");
  if (f == NULL) {
    perror(argv[2]);
    return 2;
  }
  char line[1024];
  size_t cap = 0;
  while (fgets(line, sizeof line, f)) {
    if (count == cap) {
      cap = cap ? cap * 2 : 256;
      instances = realloc(instances, cap * sizeof *instances);
    }
    if (parse_line(line, &instances[count])) count++;
  }
  fclose(f);
  qsort(instances, count, sizeof *instances, compare);

  for (int i = 3; i < argc; ++i) {
    oid root[MAX_OID_LEN];
    size_t len = MAX_OID_LEN;
    if (!read_objid(argv[i], root, &len)) return 2;
    netsnmp_register_handler(
        netsnmp_create_handler_registration(argv[i], handler, root, len, HANDLER_CAN_RONLY));
  }
  init_snmp("np-bench-peer");
  signal(SIGTERM, stop);
  signal(SIGINT, stop);
  fprintf(stderr, "peer subagent: %zu instances\n", count);
  while (running) agent_check_and_process(1);
  snmp_shutdown("np-bench-peer");
  return 0;
}

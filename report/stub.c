/* placeholder */
int ks_report_placeholder(void);
int ks_report_placeholder(void) { return 0; }

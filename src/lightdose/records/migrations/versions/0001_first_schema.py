"""records: the first schema — clinics, users, login sessions, API tokens, patients, devices, courses, sessions
with their computed sites, outcomes and the audit log.

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-03 18:18:53.397001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clinics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinics'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'clinician', 'researcher')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_users_clinic_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_api_tokens_token_sha256'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_audit_log_clinic_id')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_log_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('clinic_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('preset', sa.String(length=120), nullable=True),
    sa.Column('definition', sa.JSON(), nullable=True),
    sa.Column('measurements', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_clinic_devices_clinic_id')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_clinic_devices_created_by_id')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_clinic_devices_updated_by_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_devices')),
    sa.UniqueConstraint('clinic_id', 'name', name='clinic_name')
    )
    with op.batch_alter_table('clinic_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinic_devices_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_login_sessions_token_sha256'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('patients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('sex', sa.String(length=8), nullable=True),
    sa.Column('skin_type', sa.String(length=3), nullable=False),
    sa.Column('bmi_kg_m2', sa.Float(), nullable=True),
    sa.Column('fat_thickness_mm', sa.JSON(), nullable=False),
    sa.Column('diabetes', sa.Boolean(), nullable=False),
    sa.Column('neuropathy', sa.Boolean(), nullable=False),
    sa.Column('health', sa.JSON(), nullable=False),
    sa.Column('contraindications', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100', name=op.f('ck_patients_birth_year')),
    sa.CheckConstraint('bmi_kg_m2 IS NULL OR bmi_kg_m2 BETWEEN 10 AND 80', name=op.f('ck_patients_bmi')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_patients_clinic_id')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_patients_created_by_id')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_patients_updated_by_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients')),
    sa.UniqueConstraint('clinic_id', 'code', name='clinic_code')
    )
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patients_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('condition', sa.String(length=120), nullable=False),
    sa.Column('scenario', sa.JSON(), nullable=True),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('lightdose_version', sa.String(length=64), nullable=False),
    sa.Column('schedule', sa.String(length=120), nullable=False),
    sa.Column('planned_sessions', sa.Integer(), nullable=False),
    sa.Column('skin_limit_c', sa.Float(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_courses_clinic_id')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_courses_created_by_id')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_courses_patient_id')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_courses_updated_by_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses'))
    )
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_patient_id'), ['patient_id'], unique=False)

    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('measured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pain_nrs', sa.Float(), nullable=True),
    sa.Column('monofilament_left_felt', sa.Integer(), nullable=True),
    sa.Column('monofilament_left_tested', sa.Integer(), nullable=True),
    sa.Column('monofilament_right_felt', sa.Integer(), nullable=True),
    sa.Column('monofilament_right_tested', sa.Integer(), nullable=True),
    sa.Column('vpt_v', sa.Float(), nullable=True),
    sa.Column('mnsi_score', sa.Float(), nullable=True),
    sa.Column('single_leg_stance_s', sa.Float(), nullable=True),
    sa.Column('timed_up_and_go_s', sa.Float(), nullable=True),
    sa.Column('skin_temp_c', sa.Float(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('pain_nrs IS NULL OR pain_nrs BETWEEN 0 AND 10', name=op.f('ck_outcomes_pain')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_outcomes_clinic_id')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_outcomes_course_id')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_outcomes_created_by_id')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_outcomes_patient_id')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_outcomes_updated_by_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes'))
    )
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcomes_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcomes_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcomes_patient_id'), ['patient_id'], unique=False)

    op.create_table('treatment_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('device', sa.String(length=120), nullable=False),
    sa.Column('distance_mm', sa.Float(), nullable=False),
    sa.Column('planned_s', sa.Float(), nullable=True),
    sa.Column('delivered_s', sa.Float(), nullable=False),
    sa.Column('skin_before', sa.Text(), nullable=False),
    sa.Column('skin_after', sa.Text(), nullable=False),
    sa.Column('adverse_events', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('delivered_s >= 0 AND delivered_s <= 14400', name=op.f('ck_treatment_sessions_delivered')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_treatment_sessions_clinic_id')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_treatment_sessions_course_id')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_treatment_sessions_created_by_id')),
    sa.ForeignKeyConstraint(['device_id'], ['clinic_devices.id'], name=op.f('fk_treatment_sessions_device_id')),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_treatment_sessions_operator_id')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_treatment_sessions_patient_id')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_treatment_sessions_updated_by_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_sessions')),
    sa.UniqueConstraint('clinic_id', 'client_key', name='clinic_client_key')
    )
    with op.batch_alter_table('treatment_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_treatment_sessions_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_treatment_sessions_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_treatment_sessions_patient_id'), ['patient_id'], unique=False)

    op.create_table('session_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=120), nullable=False),
    sa.Column('target', sa.String(length=120), nullable=True),
    sa.Column('surface_irradiance_w_mm2', sa.Float(), nullable=True),
    sa.Column('surface_fluence_j_mm2', sa.Float(), nullable=True),
    sa.Column('target_fluence_rate_w_mm2', sa.Float(), nullable=True),
    sa.Column('target_fluence_j_mm2', sa.Float(), nullable=True),
    sa.Column('peak_skin_c', sa.Float(), nullable=True),
    sa.Column('cem43_min', sa.Float(), nullable=True),
    sa.Column('omega', sa.Float(), nullable=True),
    sa.Column('cumulative_target_fluence_j_mm2', sa.Float(), nullable=True),
    sa.Column('computed_with', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_sessions.id'], name=op.f('fk_session_sites_session_id'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_sites'))
    )
    with op.batch_alter_table('session_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_sites_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('session_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_sites_session_id'))

    op.drop_table('session_sites')
    with op.batch_alter_table('treatment_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_treatment_sessions_patient_id'))
        batch_op.drop_index(batch_op.f('ix_treatment_sessions_course_id'))
        batch_op.drop_index(batch_op.f('ix_treatment_sessions_clinic_id'))

    op.drop_table('treatment_sessions')
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_patient_id'))
        batch_op.drop_index(batch_op.f('ix_outcomes_course_id'))
        batch_op.drop_index(batch_op.f('ix_outcomes_clinic_id'))

    op.drop_table('outcomes')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_patient_id'))
        batch_op.drop_index(batch_op.f('ix_courses_clinic_id'))

    op.drop_table('courses')
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patients_clinic_id'))

    op.drop_table('patients')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))

    op.drop_table('login_sessions')
    with op.batch_alter_table('clinic_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinic_devices_clinic_id'))

    op.drop_table('clinic_devices')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_clinic_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_clinic_id'))

    op.drop_table('users')
    op.drop_table('clinics')
